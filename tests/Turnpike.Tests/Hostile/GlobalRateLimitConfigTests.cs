using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.AiRateLimiting;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>The <c>policy</c> field of the rate-limiting plugins: <c>global</c> taken, anything else refused in Kong's words.</summary>
[Fast]
public sealed class GlobalRateLimitConfigTests
{
    private static (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(IGatewayPlugin plugin, string json)
    {
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors.All);
    }

    private static RateLimitingPlugin RateLimiting => new(null!, null!, new RateLimitMetrics());

    [Theory]
    [InlineData("""{"minute": 5, "policy": "globl"}""", "expected one of: cluster, local, global")]
    [InlineData("""{"minute": 5, "policy": "GLOBAL"}""", "expected one of: cluster, local, global")]
    [InlineData("""{"minute": 5, "policy": "global\r\n"}""", "must not contain control characters")]
    [InlineData("""{"minute": 5, "policy": "redis"}""", "expected one of: cluster, local, global")]
    [InlineData("""{"minute": 5, "policy": ""}""", "expected one of: cluster, local, global")]
    [InlineData("""{"minute": 5, "policy": ["global"]}""", "expected a string")]
    [InlineData("""{"minute": 5, "policy": 1}""", "expected a string")]
    public void A_policy_that_is_not_one_of_cluster_local_or_global_is_refused_naming_the_field(string config, string message) =>
        Assert.Equal(message, Read(RateLimiting, config).Errors["config.policy"]);

    [Fact]
    public void Policy_global_is_stored_as_given_and_binds_the_global_policy_with_fault_tolerant()
    {
        var (stored, errors) = Read(RateLimiting, """{"minute": 100, "policy": "global"}""");

        Assert.Empty(errors);
        Assert.Equal("global", stored["policy"]!.GetValue<string>());
        Assert.True(stored["fault_tolerant"]!.GetValue<bool>());
        Assert.Equal(QuotaPolicy.Global, QuotaPolicies.Parse(stored["policy"]!.GetValue<string>()));
    }

    [Fact]
    public void Ai_rate_limiting_takes_policy_global_too()
    {
        var plugin = new AiRateLimitingPlugin(null!, null!, new RateLimitMetrics());

        Assert.Empty(Read(plugin, """{"minute": 1000, "policy": "global"}""").Errors);
        Assert.Equal("expected one of: cluster, local, global", Read(plugin, """{"minute": 1000, "policy": "world"}""").Errors["config.policy"]);
    }
}
