using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Tests.Infrastructure;
using Xunit;
using YamlDotNet.Core;

namespace Turnpike.Tests.Admin;

/// <summary>The admin parsers' budgets (<see cref="AdminInputLimits"/>): nothing hostile overflows the stack or expands without bound.</summary>
[Fast]
public sealed class AdminParserBudgetTests
{
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin()])));

    private static string Nested(char open, char close, int depth) => new string(open, depth) + new string(close, depth);

    [Fact]
    public void Json_nested_200_KB_deep_is_refused_as_too_deep()
    {
        var (node, problem) = BoundedJson.Parse(Encoding.UTF8.GetBytes(Nested('[', ']', 100_000)));
        Assert.Null(node);
        Assert.Equal("nested too deeply (more than 64 levels)", problem);
    }

    [Fact]
    public void Json_64_levels_deep_is_accepted_and_65_is_not()
    {
        Assert.NotNull(BoundedJson.Parse(Encoding.UTF8.GetBytes(Nested('[', ']', 64))).Node);
        Assert.Equal("nested too deeply (more than 64 levels)", BoundedJson.Parse(Encoding.UTF8.GetBytes(Nested('[', ']', 65))).Problem);
    }

    [Fact]
    public void Json_duplicate_key_is_refused_naming_the_key()
    {
        var (node, problem) = BoundedJson.Parse("""{"name": "a", "config": {"x": 1, "x": 2}}"""u8);
        Assert.Null(node);
        Assert.Equal("duplicate key 'x'", problem);
        Assert.NotNull(BoundedJson.Parse("""{"a": {"x": 1}, "b": {"x": 2}}"""u8).Node);
    }

    [Fact]
    public void Malformed_json_is_a_problem_not_an_exception()
    {
        Assert.Equal("invalid JSON", BoundedJson.Parse("{\"a\": "u8).Problem);
        Assert.Equal("invalid JSON", BoundedJson.Parse([0xFF, 0xFE, 0x7B]).Problem);
    }

    [Fact]
    public void YamlDotNet_parser_reads_deeply_nested_flow_sequences_without_recursing()
    {
        // The parser is a state machine with its own stack: 100,000 levels parse without a stack overflow, but in
        // about 17 s, quadratic in the depth (its scanner revisits every open flow level's possible key for each
        // token). Our reader stops at 65 levels, so the parser never sees more; 20,000 levels show the point cheaply.
        var parser = new Parser(new StringReader(Nested('[', ']', 20_000)));
        var events = 0;
        while (parser.MoveNext())
        {
            events++;
        }

        Assert.Equal(40_004, events);
    }

    [Theory]
    [InlineData('[', ']')]
    [InlineData('{', '}')]
    public void Yaml_nested_200_KB_deep_is_refused_as_too_deep(char open, char close)
    {
        var text = open == '{' ? string.Concat(Enumerable.Repeat("{a: ", 50_000)) + "1" + new string('}', 50_000) : Nested(open, close, 100_000);
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<YamlLimitException>(() => YamlJson.Parse(text));
        Assert.Contains("nested too deeply (more than 64 levels)", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}: the parser read past the limit");
    }

    [Fact]
    public void Yaml_block_mappings_nested_deeper_than_64_are_refused()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1_000; i++)
        {
            text.Append(' ', i).Append("k:\n");
        }

        Assert.Throws<YamlLimitException>(() => YamlJson.Parse(text.ToString()));
    }

    [Fact]
    public void Yaml_alias_bomb_is_refused_quickly_and_small()
    {
        var text = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<YamlLimitException>(() => YamlJson.Parse(text.ToString()));
        Assert.Contains("aliases expand to too many nodes", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 50_000_000, "allocated too much");
    }

    [Fact]
    public void Yaml_aliases_within_the_allowance_are_expanded_as_copies()
    {
        var node = YamlJson.Parse("""
            base: &base {retries: 3, tags: [a, b]}
            one: *base
            two: *base
            name: &n billing
            names: [*n, *n]
            """)!;
        Assert.Equal(3, node["one"]!["retries"]!.GetValue<long>());
        Assert.Equal("b", node["two"]!["tags"]![1]!.GetValue<string>());
        Assert.Equal("""["billing","billing"]""", node["names"]!.ToJsonString());
        node["one"]!["retries"] = 4;
        Assert.Equal(3, node["two"]!["retries"]!.GetValue<long>());
    }

    [Fact]
    public void Yaml_alias_that_would_nest_past_the_depth_limit_is_refused()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var ex = Assert.Throws<YamlLimitException>(() => YamlJson.Parse($"a: &deep {deep}\nb: {new string('[', 30)}*deep{new string(']', 30)}\n"));
        Assert.Contains("nests too deeply", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "duplicate key 'a'")]
    [InlineData("? [x]\n: 1\n", "mapping keys must be scalars")]
    [InlineData("a: *nowhere\n", "unknown alias '*nowhere'")]
    public void Yaml_that_a_json_object_cannot_hold_is_refused_with_its_reason(string text, string reason)
    {
        var ex = Assert.Throws<YamlLimitException>(() => YamlJson.Parse(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_reads_only_the_first_document()
    {
        Assert.Equal("""{"a":1}""", YamlJson.Parse("a: 1\n---\n[[[[\n")!.ToJsonString());
    }

    [Fact]
    public void Declarative_config_too_deep_is_an_invalid_declarative_configuration_naming_the_problem()
    {
        var (write, error) = Config.Read("_format_version: \"3.0\"\nservices: " + Nested('[', ']', 100_000));
        Assert.Null(write);
        Assert.Equal((14, "invalid declarative configuration"), (error!.Code, error.Name));
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }
}
