using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Schema;

/// <summary>The plugin configuration builder: one declaration gives validation, stored JSON, typed options and Kong's schema JSON.</summary>
[Fast]
public sealed class ConfigSchemaTests
{
    private sealed record Options(string Name, int Size, bool On, string[] Tags, string? Note, (string Key, string Value)[] Pairs);

    private static readonly ConfigField<string> Name = Field.OneOf("name", ["a", "b"]).Default("a");
    private static readonly ConfigField<int> Size = Field.Integer("size", 1, 10).Default(5);
    private static readonly ConfigField<bool> On = Field.Boolean("on").Default(true);
    private static readonly ConfigField<string[]> Tags = Field.Strings("tags", TextRules.HeaderName).Default("x")
        .Check(tags => tags.Length == 0 ? "length must be at least 1" : null, "len_min", 1);

    private static readonly ConfigField<string?> Note = Field.String("note", multiLine: true);
    private static readonly ConfigField<string> Key = Field.RequiredString("key");
    private static readonly ConfigField<string?> Value = Field.String("value");
    private static readonly ConfigField<(string, string)[]> Pairs = Field.Records(
        "pairs", new ConfigSchema<(string, string)>([Key, Value], c => (c.Get(Key), c.Get(Value) ?? "")), maxLength: 2);

    private static readonly ConfigSchema<Options> Schema = new(
        [
            Name, Size, On, Tags, Note, Pairs,
            ConfigCheck.Entity((c, _) => c.Get(Name) == "b" && c.Get(Note) is null ? "name b needs a note" : null, ConfigCheck.Kong("at_least_one_of", "note")),
        ],
        c => new(c.Get(Name), c.Get(Size), c.Get(On), c.Get(Tags), c.Get(Note), c.Get(Pairs)));

    private static (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json, bool coerce = false)
    {
        var errors = new FieldErrors();
        var stored = Schema.Read(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config.", coerce));
        return (stored, errors.All);
    }

    [Fact]
    public void An_empty_config_is_stored_with_every_default()
    {
        var (stored, errors) = Read("{}");
        Assert.Empty(errors);
        Assert.Equal("""{"name":"a","size":5,"on":true,"tags":["x"],"note":null,"pairs":[]}""", stored.ToJsonString());
    }

    [Fact]
    public void Binding_gives_typed_options_from_the_stored_json()
    {
        var (stored, errors) = Read("""{"name":"b","size":7,"on":false,"tags":["t1","t2"],"note":"line\nline","pairs":[{"key":"k","value":"v"}]}""");
        Assert.Empty(errors);
        var options = Schema.Bind(JsonNode.Parse(stored.ToJsonString())!.AsObject());
        Assert.Equal(("b", 7, false, "line\nline"), (options.Name, options.Size, options.On, options.Note));
        Assert.Equal(["t1", "t2"], options.Tags);
        Assert.Equal([("k", "v")], options.Pairs);
    }

    [Fact]
    public void Binding_a_stored_config_missing_fields_uses_the_defaults()
    {
        var options = Schema.Bind([]);
        Assert.Equal(("a", 5, true), (options.Name, options.Size, options.On));
        Assert.Equal(["x"], options.Tags);
        Assert.Empty(options.Pairs);
    }

    [Fact]
    public void Every_error_is_collected_in_Kong_words_with_its_path()
    {
        var (_, errors) = Read("""{"name":"c","size":11,"on":"yes","tags":["bad name"],"note":"a\u0000b","pairs":[{"value":"v"},3],"colour":"red"}""");
        Assert.Equal("expected one of: a, b", errors["config.name"]);
        Assert.Equal("value should be between 1 and 10", errors["config.size"]);
        Assert.Equal("expected a boolean", errors["config.on"]);
        Assert.Equal("bad header name 'bad name': expected an RFC 7230 token", errors["config.tags[0]"]);
        Assert.Equal(TextRules.MultiLineControlProblem, errors["config.note"]);
        Assert.Equal("required field missing", errors["config.pairs[0].key"]);
        Assert.Equal("expected a record", errors["config.pairs[1]"]);
        Assert.Equal("unknown field", errors["config.colour"]);
    }

    [Fact]
    public void Field_checks_run_on_given_values_and_entity_checks_on_the_whole()
    {
        var (_, errors) = Read("""{"name":"b","tags":[],"pairs":[{"key":"a"},{"key":"b"},{"key":"c"}]}""");
        Assert.Equal("length must be at least 1", errors["config.tags"]);
        Assert.Equal("length must be at most 2", errors["config.pairs"]);
        Assert.Equal("name b needs a note", errors["config.@entity"]);
    }

    [Fact]
    public void Form_bodies_coerce_numbers_booleans_and_single_values()
    {
        var (stored, errors) = Read("""{"size":"3","on":"false","tags":"solo"}""", coerce: true);
        Assert.Empty(errors);
        Assert.Equal((3, false), (stored["size"]!.GetValue<int>(), stored["on"]!.GetValue<bool>()));
        Assert.Equal("solo", stored["tags"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_nested_record_reads_with_its_own_path_and_fills_its_defaults_when_absent()
    {
        var inner = new ConfigSchema<int>([Size], c => c.Get(Size));
        var outer = new ConfigSchema<int>([Field.Record("limits", inner)], _ => 0);
        var errors = new FieldErrors();
        var stored = outer.Read(new FieldReader([], errors, "config."));
        Assert.Empty(errors.All);
        Assert.Equal("""{"limits":{"size":5}}""", stored.ToJsonString());

        outer.Read(new FieldReader(new JsonObject { ["limits"] = new JsonObject { ["size"] = 0, ["x"] = 1 } }, errors, "config."));
        Assert.Equal("value should be between 1 and 10", errors.All["config.limits.size"]);
        Assert.Equal("unknown field", errors.All["config.limits.x"]);
    }

    [Fact]
    public void The_declaration_describes_itself_in_Kongs_schema_format()
    {
        var record = Schema.Describe();
        Assert.Equal("record", record["type"]!.GetValue<string>());
        var fields = record["fields"]!.AsArray().Select(f => f!.AsObject().Single()).ToDictionary(p => p.Key, p => p.Value!);
        Assert.Equal(["name", "size", "on", "tags", "note", "pairs"], fields.Keys);
        Assert.Equal("""{"type":"string","one_of":["a","b"],"default":"a","required":true}""", fields["name"].ToJsonString());
        Assert.Equal("""{"type":"integer","between":[1,10],"default":5,"required":true}""", fields["size"].ToJsonString());
        Assert.Equal("""{"type":"array","elements":{"type":"string"},"default":["x"],"required":true,"len_min":1}""", fields["tags"].ToJsonString());
        Assert.Equal("""{"type":"string"}""", fields["note"].ToJsonString());
        Assert.Equal("record", fields["pairs"]["elements"]!["type"]!.GetValue<string>());
        Assert.Equal(2, fields["pairs"]["len_max"]!.GetValue<int>());
        Assert.Equal("""[{"at_least_one_of":["config.note"]}]""", record["entity_checks"]!.ToJsonString());
    }
}
