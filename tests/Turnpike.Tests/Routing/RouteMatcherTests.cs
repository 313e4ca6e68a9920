using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Routing;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Routing;

[Fast]
public sealed class RouteMatcherTests
{
    private static RouteMatcher Matcher(params RouteEntity[] routes) => RouteMatcher.Of(Compile(routes));

    private static CompiledRoute[] Compile(params RouteEntity[] routes) =>
        [.. routes.Select(r => new CompiledRoute(r with { Id = r.Id == Guid.Empty ? Guid.NewGuid() : r.Id }, null, PluginChain.Empty, new RegexCache()))];

    private static string? Match(RouteMatcher matcher, string path, string host = "example.com", string method = "GET", HeaderDictionary? headers = null) =>
        matcher.Match(method, host, path, headers ?? new HeaderDictionary())?.Route.Entity.Name;

    [Fact]
    public void Longest_prefix_path_wins()
    {
        var matcher = Matcher(new RouteEntity { Name = "short", Paths = ["/api"] }, new RouteEntity { Name = "long", Paths = ["/api/v1"] });
        Assert.Equal("long", Match(matcher, "/api/v1/users"));
        Assert.Equal("short", Match(matcher, "/api/v2"));
    }

    [Fact]
    public void Prefix_matches_as_a_plain_string_prefix_as_in_Kong()
    {
        var matcher = Matcher(new RouteEntity { Name = "foo", Paths = ["/foo"] });
        Assert.Equal("foo", Match(matcher, "/foobar"));
        Assert.Null(Match(matcher, "/fo"));
    }

    [Fact]
    public void Request_matching_no_route_gets_no_match()
    {
        var matcher = Matcher(new RouteEntity { Name = "a", Paths = ["/a"], Hosts = ["a.test"] });
        Assert.Null(Match(matcher, "/a", host: "b.test"));
        Assert.Null(Match(matcher, "/b", host: "a.test"));
    }

    [Fact]
    public void Route_with_more_conditions_outranks_a_longer_path()
    {
        var matcher = Matcher(
            new RouteEntity { Name = "path-only", Paths = ["/api/users/long"] },
            new RouteEntity { Name = "host-and-path", Paths = ["/api"], Hosts = ["example.com"] });
        Assert.Equal("host-and-path", Match(matcher, "/api/users/long"));
    }

    [Fact]
    public void Plain_host_outranks_wildcard_host()
    {
        var matcher = Matcher(
            new RouteEntity { Name = "wildcard", Hosts = ["*.example.com"] },
            new RouteEntity { Name = "plain", Hosts = ["api.example.com"] });
        Assert.Equal("plain", Match(matcher, "/", host: "api.example.com"));
        Assert.Equal("wildcard", Match(matcher, "/", host: "www.example.com"));
    }

    [Fact]
    public void Wildcard_hosts_match_leading_and_trailing_labels()
    {
        var matcher = Matcher(new RouteEntity { Name = "lead", Hosts = ["*.example.com"] }, new RouteEntity { Name = "trail", Hosts = ["example.*"] });
        Assert.Equal("lead", Match(matcher, "/", host: "a.b.example.com"));
        Assert.Equal("trail", Match(matcher, "/", host: "example.org:8000"));
        Assert.Equal("trail", Match(matcher, "/", host: "example.co.uk"));
        Assert.Null(Match(matcher, "/", host: "myexample.com"));
        Assert.Null(Match(matcher, "/", host: "notexample.org"));
    }

    [Fact]
    public void Host_with_port_matches_only_that_port_and_host_without_port_matches_any()
    {
        var matcher = Matcher(new RouteEntity { Name = "port", Hosts = ["a.test:8080"] }, new RouteEntity { Name = "any", Hosts = ["b.test"] });
        Assert.Equal("port", Match(matcher, "/", host: "a.test:8080"));
        Assert.Null(Match(matcher, "/", host: "a.test:9090"));
        Assert.Equal("any", Match(matcher, "/", host: "B.TEST:9090"));
    }

    [Fact]
    public void Regex_path_outranks_prefix_path_of_equal_weight_and_regex_priority_orders_regexes()
    {
        var matcher = Matcher(
            new RouteEntity { Name = "prefix", Paths = ["/users/123/profile"] },
            new RouteEntity { Name = "regex-low", Paths = [@"~/users/\d+"], RegexPriority = 1 },
            new RouteEntity { Name = "regex-high", Paths = [@"~/users/\d+/profile"], RegexPriority = 5 });
        Assert.Equal("regex-high", Match(matcher, "/users/123/profile"));
        Assert.Equal("regex-low", Match(matcher, "/users/123"));
    }

    [Fact]
    public void Regex_paths_are_anchored_at_the_start()
    {
        var matcher = Matcher(new RouteEntity { Name = "regex", Paths = [@"~/v\d/items"] });
        Assert.Equal("regex", Match(matcher, "/v2/items/7"));
        Assert.Null(Match(matcher, "/x/v2/items"));
    }

    [Fact]
    public void Methods_restrict_matching()
    {
        var matcher = Matcher(new RouteEntity { Name = "post", Paths = ["/a"], Methods = ["POST"] }, new RouteEntity { Name = "any", Paths = ["/a"] });
        Assert.Equal("post", Match(matcher, "/a", method: "POST"));
        Assert.Equal("any", Match(matcher, "/a", method: "GET"));
    }

    [Fact]
    public void Headers_restrict_matching_with_exact_values_ignoring_case_and_regexes()
    {
        var matcher = Matcher(
            new RouteEntity { Name = "v2", Paths = ["/a"], Headers = new() { ["x-version"] = ["V2", "~*^beta-\\d+$"] } },
            new RouteEntity { Name = "default", Paths = ["/a"] });
        Assert.Equal("v2", Match(matcher, "/a", headers: new HeaderDictionary { ["X-Version"] = "v2" }));
        Assert.Equal("v2", Match(matcher, "/a", headers: new HeaderDictionary { ["X-Version"] = "BETA-7" }));
        Assert.Equal("default", Match(matcher, "/a", headers: new HeaderDictionary { ["X-Version"] = "v3" }));
    }

    [Fact]
    public void At_equal_priority_the_higher_route_id_wins()
    {
        var low = new Guid("00000000-0000-0000-0000-000000000001");
        var high = new Guid("00000000-0000-0000-0000-000000000002");
        var matcher = Matcher(new RouteEntity { Id = low, Name = "low", Paths = ["/a"] }, new RouteEntity { Id = high, Name = "high", Paths = ["/a"] });
        Assert.Equal("high", Match(matcher, "/a"));
    }

    [Fact]
    public void Match_reports_the_matched_length_for_strip_path()
    {
        var matcher = Matcher(new RouteEntity { Name = "p", Paths = ["/api"] }, new RouteEntity { Name = "r", Paths = [@"~/v\d+"] });
        Assert.Equal(4, matcher.Match("GET", "h", "/api/x", new HeaderDictionary())!.Value.MatchedPathLength);
        Assert.Equal(3, matcher.Match("GET", "h", "/v2/x", new HeaderDictionary())!.Value.MatchedPathLength);
    }

    [Fact]
    public void Matching_among_many_routes_finds_the_exact_one()
    {
        var routes = Enumerable.Range(0, 5000).Select(i => new RouteEntity { Name = $"r{i}", Paths = [$"/svc{i}/"] }).ToArray();
        var matcher = Matcher(routes);
        Assert.Equal("r4321", Match(matcher, "/svc4321/orders"));
        Assert.Null(Match(matcher, "/svc99999/orders"));
    }

    [Fact]
    public void A_matcher_derived_from_a_change_routes_as_one_built_from_the_whole_table()
    {
        var kept = Compile(
            new RouteEntity { Name = "api", Paths = ["/api"] },
            new RouteEntity { Name = "host-a", Hosts = ["a.test"], Paths = ["/"] },
            new RouteEntity { Name = "wild", Hosts = ["*.wild.test"] },
            new RouteEntity { Name = "regex", Paths = ["~/items/\\d+$"] });
        var changing = Compile(
            new RouteEntity { Name = "old-path", Paths = ["/api/v1"] },
            new RouteEntity { Name = "old-host", Hosts = ["a.test"], Paths = ["/admin"] },
            new RouteEntity { Name = "old-wild", Hosts = ["*.wild.test"], Paths = ["/w"] });
        var replacements = Compile(
            new RouteEntity { Id = changing[0].Id, Name = "new-path", Paths = ["/api/v2"] },
            new RouteEntity { Id = changing[1].Id, Name = "new-host", Hosts = ["b.test"], Paths = ["/admin"] });

        var derived = RouteMatcher.Of([.. kept, .. changing]).With(changing, replacements);
        var rebuilt = RouteMatcher.Of([.. kept, .. replacements]);

        foreach (var matcher in new[] { derived, rebuilt })
        {
            Assert.Equal(6, matcher.RouteCount);
            Assert.Equal("api", Match(matcher, "/api/v1/users"));
            Assert.Equal("new-path", Match(matcher, "/api/v2/users"));
            Assert.Equal("host-a", Match(matcher, "/admin", host: "a.test"));
            Assert.Equal("new-host", Match(matcher, "/admin", host: "b.test"));
            Assert.Equal("wild", Match(matcher, "/w", host: "x.wild.test"));
            Assert.Equal("regex", Match(matcher, "/items/42"));
            Assert.Null(Match(matcher, "/nothing", host: "b.test"));
        }
    }
}
