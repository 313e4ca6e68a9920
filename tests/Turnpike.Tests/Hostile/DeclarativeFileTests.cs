using System.Text;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>A hostile declarative file at start (<c>--config</c>): the edge stops with one line saying why and exit code 2.</summary>
public sealed class DeclarativeFileTests
{
    public static TheoryData<string, string, string> Files()
    {
        var bomb = new StringBuilder("_format_version: \"3.0\"\n_comment:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append($"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        return new()
        {
            { "too-deep", "_format_version: \"3.0\"\nservices: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "nested too deeply" },
            { "alias-bomb", bomb.ToString(), "aliases expand to too many nodes" },
            { "malformed", "_format_version: \"3.0\"\nservices: [\n  - {name: x\n", "failed parsing declarative configuration" },
            // Valid entity by entity, refused only by the table as a whole (it used to come with the host's stack trace).
            { "unknown-reference", "_format_version: \"3.0\"\nplugins:\n- name: correlation-id\n  service: 5f0e4b8e-1111-4222-8333-944445555666\n", "does not reference an existing 'services' entity" },
            { "duplicate-name", "_format_version: \"3.0\"\nservices:\n- {name: a, host: a.test}\n- {name: a, host: b.test}\n", "primary key violation" },
        };
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Hostile_declarative_file_stops_the_edge_with_one_line_and_exit_code_2(string kind, string content, string reason)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("turnpike-hostile-").FullName, kind + ".yml");
        await File.WriteAllTextAsync(path, content);

        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--config", path);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declarative_file_named_in_configuration_that_the_table_refuses_stops_the_edge_with_one_line()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("turnpike-hostile-").FullName, "refused.yml");
        await File.WriteAllTextAsync(path, "_format_version: \"3.0\"\nplugins:\n- name: correlation-id\n  service: 5f0e4b8e-1111-4222-8333-944445555666\n");

        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--Turnpike:DeclarativeConfig=" + path);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Contains("is invalid: declarative config is invalid: {\"plugins\":[{\"service\":{\"id\":\"the foreign key '{id=\\\"5f0e4b8e-1111-4222-8333-944445555666\\\"}' does not reference an existing 'services' entity.\"}}]}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declarative_file_larger_than_the_admin_body_limit_stops_the_edge_before_it_is_read()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("turnpike-hostile-").FullName, "large.yml");
        await File.WriteAllTextAsync(path, "_format_version: \"3.0\"\n" + new string('#', 4096) + "\n");

        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--config", path, "--Turnpike:Admin:MaxBodySize=2048");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        Assert.Contains("is larger than Turnpike:Admin:MaxBodySize (2048 bytes)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_max_body_size_out_of_range_stops_the_edge_naming_the_key()
    {
        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--Turnpike:Admin:MaxBodySize=0");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        Assert.Contains("Turnpike:Admin:MaxBodySize must be between 1024", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
