using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.ResponseRateLimiting;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>response-ratelimiting's pure parts: the upstream's X-Kong-Limit header and the limits' validation.</summary>
[Fast]
public sealed class ResponseRateLimitingLogicTests
{
    private static readonly ResponseLimit[] Limits =
        [new("videos", [new(RateLimitWindow.Minute, 10)]), new("images", [new(RateLimitWindow.Hour, 5)])];

    private static long[] Parse(string header)
    {
        var increments = new long[Limits.Length];
        UsageHeader.Parse(header, Limits, increments);
        return increments;
    }

    private static IReadOnlyDictionary<string, string> Errors(string config)
    {
        var errors = new FieldErrors();
        var plugin = new ResponseRateLimitingPlugin(null!, null!, new RateLimitMetrics());
        plugin.ReadConfig(new FieldReader(JsonNode.Parse(config)!.AsObject(), errors, "config."));
        return errors.All;
    }

    [Theory]
    [InlineData("videos=2, images=1", 2, 1)]
    [InlineData("  images = 3 ,videos=1", 1, 3)]
    [InlineData("videos=2", 2, 0)]
    [InlineData("videos=1, videos=4", 4, 0)]
    [InlineData("", 0, 0)]
    public void The_upstream_header_gives_each_configured_limit_its_increment(string header, long videos, long images) =>
        Assert.Equal([videos, images], Parse(header));

    [Theory]
    [InlineData("music=5")]
    [InlineData("videos")]
    [InlineData("videos=a=1")]
    [InlineData("videos=-3")]
    [InlineData("videos=1.5")]
    [InlineData("videos=99999999999999999999999")]
    [InlineData("videos=1000000001")]
    [InlineData("Videos=2")]
    [InlineData(",,,=,==")]
    public void Parts_that_are_not_a_known_limit_and_a_whole_number_are_ignored(string header) =>
        Assert.Equal([0L, 0L], Parse(header));

    [Fact]
    public void Defaults_are_Kongs_and_limits_are_stored_by_name()
    {
        var errors = new FieldErrors();
        var plugin = new ResponseRateLimitingPlugin(null!, null!, new RateLimitMetrics());
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse("""{"limits":{"videos":{"minute":10}}}""")!.AsObject(), errors, "config."));
        Assert.Empty(errors.All);
        Assert.Equal("x-kong-limit", stored["header_name"]!.GetValue<string>());
        Assert.Equal("consumer", stored["limit_by"]!.GetValue<string>());
        Assert.Equal("cluster", stored["policy"]!.GetValue<string>());
        Assert.True(stored["fault_tolerant"]!.GetValue<bool>());
        Assert.False(stored["block_on_first_violation"]!.GetValue<bool>());
        Assert.False(stored["hide_client_headers"]!.GetValue<bool>());
        Assert.Equal(10, stored["limits"]!["videos"]!["minute"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{}""", "config.limits", "required field missing")]
    [InlineData("""{"limits":{}}""", "config.limits", "length must be at least 1")]
    [InlineData("""{"limits":{"videos":{}}}""", "config.limits.videos", "at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', 'month', 'year'")]
    [InlineData("""{"limits":{"videos":{"minute":20,"hour":10}}}""", "config.limits.videos", "the limit for hour(10.0) cannot be lower than the limit for minute(20.0)")]
    [InlineData("""{"limits":{"videos":{"minute":0}}}""", "config.limits.videos.minute", "value must be greater than 0")]
    [InlineData("""{"limits":{"videos":{"fortnight":1}}}""", "config.limits.videos.fortnight", "unknown field")]
    [InlineData("""{"limits":{"videos":5}}""", "config.limits.videos", "expected a record")]
    [InlineData("""{"limits":{"vid eos":{"minute":1}}}""", "config.limits", "invalid limit name 'vid eos': expected a header token of at most 64 characters")]
    [InlineData("""{"policy":"redis","limits":{"v":{"minute":1}}}""", "config.policy", "expected one of: cluster, local, global")]
    [InlineData("""{"limit_by":"service","limits":{"v":{"minute":1}}}""", "config.limit_by", "expected one of: consumer, credential, ip")]
    public void Bad_configs_are_refused_naming_the_field_in_Kongs_words(string config, string field, string message) =>
        Assert.Equal(message, Errors(config)[field]);
}
