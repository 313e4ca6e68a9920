using Microsoft.Extensions.Logging;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Files in <c>_format_version</c> "1.1" and "2.1" load as Kong 3 loads them: legacy regex paths become <c>~</c> paths, and the change is logged.</summary>
[Fast]
public sealed class DeclarativeFormatMigrationTests
{
    private static readonly PluginRegistry Plugins = new([new CorrelationIdPlugin()]);

    /// <summary>Anchors and aliases as people write them: shared tags and a shared list of paths, reused by a top-level route.</summary>
    private const string LegacyFile = """
        _format_version: "1.1"
        _comment:
          team: &team [team-a, legacy]
        services:
        - name: users
          url: http://127.0.0.1:9000
          tags: *team
          routes:
          - name: user-by-id
            paths: &user_paths
            - '/users/\d+'
            - '/profiles/(?<id>[a-z0-9-]+)$'
            strip_path: false
            tags: *team
          - name: plain
            paths: [/static//assets/./img, /caf%65]
        routes:
        - name: copy
          service: users
          hosts: [copy.test]
          paths: *user_paths
        """;

    [Theory]
    [InlineData(@"/users/\d+", @"~/users/\d+")]
    [InlineData("/v1/(?<name>[a-z]+)$", "~/v1/(?<name>[a-z]+)$")]
    [InlineData("/orders/*", "~/orders/*")]
    [InlineData("/plain/path-1_x~y", "/plain/path-1_x~y")]
    [InlineData("/a//b/./c/../d", "/a/b/d")]
    [InlineData("/caf%65", "/cafe")]
    [InlineData("/a%2fb", "/a%2Fb")]
    [InlineData(@"/x%2E\d+", @"~/x\.\d+")]
    [InlineData("/x%0a", "/x%0A")]
    [InlineData("~/already/(x|y)", "~/already/(x|y)")]
    public void Kong_2_path_is_read_as_Kong_3_reads_it(string path, string expected) =>
        Assert.Equal(expected, RoutePathMigration.MigratePath(path));

    [Fact]
    public void Format_1_1_file_with_legacy_regex_paths_and_yaml_anchors_loads_with_tilde_paths()
    {
        var logger = new RecordingLogger<DeclarativeConfig>();
        var config = new DeclarativeConfig(TestSchemas.Create(Plugins), logger);

        var read = config.Parse(LegacyFile);

        Assert.Null(read.Error);
        var routes = read.Write!.Upserts.OfType<RouteEntity>().ToDictionary(r => r.Name!);
        Assert.Equal([@"~/users/\d+", "~/profiles/(?<id>[a-z0-9-]+)$"], routes["user-by-id"].Paths!);
        Assert.Equal([@"~/users/\d+", "~/profiles/(?<id>[a-z0-9-]+)$"], routes["copy"].Paths!);
        Assert.Equal(["/static/assets/img", "/cafe"], routes["plain"].Paths!);
        Assert.Equal(["team-a", "legacy"], routes["user-by-id"].Tags!);
        Assert.Equal(6, read.Migrated.Count);
        Assert.Contains(read.Migrated, c => c == new RoutePathChange("routes[0].paths[1]", "/profiles/(?<id>[a-z0-9-]+)$", "~/profiles/(?<id>[a-z0-9-]+)$"));

        var entry = Assert.Single(logger.Entries);
        Assert.Equal((2210, LogLevel.Warning), (entry.Id.Id, entry.Level));
        Assert.Contains("_format_version 1.1 read as 3.0: 6 route paths rewritten", entry.Message, StringComparison.Ordinal);
        Assert.Contains(@"services[0].routes[0].paths[0]: /users/\d+ -> ~/users/\d+", entry.Message, StringComparison.Ordinal);
        Assert.Contains("and 1 more", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_2_1_file_is_migrated_and_exported_as_3_0()
    {
        var config = new DeclarativeConfig(TestSchemas.Create(Plugins));
        var read = config.Parse(LegacyFile.Replace("\"1.1\"", "\"2.1\"", StringComparison.Ordinal));

        var yaml = YamlJson.Write(config.Export(read.Write!.Upserts));

        Assert.Contains("_format_version: \"3.0\"", yaml, StringComparison.Ordinal);
        Assert.Contains(@"- ~/users/\d+", yaml, StringComparison.Ordinal);
        Assert.Null(config.Read(yaml).Error);
    }

    [Fact]
    public void Format_3_0_paths_are_read_as_written()
    {
        var logger = new RecordingLogger<DeclarativeConfig>();
        var config = new DeclarativeConfig(TestSchemas.Create(Plugins), logger);

        var read = config.Parse("""
            _format_version: "3.0"
            services:
            - name: users
              url: http://127.0.0.1:9000
              routes:
              - name: literal
                paths: ['/users/\d+']
            """);

        Assert.Equal([@"/users/\d+"], Assert.Single(read.Write!.Upserts.OfType<RouteEntity>()).Paths!);
        Assert.Empty(read.Migrated);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void Migrated_path_that_is_still_invalid_is_refused_at_its_place()
    {
        var (write, error) = new DeclarativeConfig(TestSchemas.Create(Plugins)).Read("""
            _format_version: "1.1"
            routes:
            - name: relative
              hosts: [a.test]
              paths: ['users/(\d+)']
            """);

        Assert.Null(write);
        Assert.Equal(AdminError.DeclarativeConfigCode, error!.Code);
        Assert.True(error.Fields!.ContainsKey("routes[0].paths[0]"), string.Join(", ", error.Fields.Keys));
    }
}
