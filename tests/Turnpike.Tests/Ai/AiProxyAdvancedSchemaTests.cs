using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Turnpike.Edge.Plugins.AiProxyAdvanced;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>ai-proxy-advanced's configuration: Kong's shapes and defaults, each target checked as an ai-proxy config.</summary>
[Fast]
public sealed class AiProxyAdvancedSchemaTests : IDisposable
{
    private readonly UpstreamClients _clients = new();

    public void Dispose() => _clients.Dispose();

    internal AiProxyAdvancedPlugin Plugin => new(NullLoggerFactory.Instance, _clients, TimeProvider.System);

    internal static string Target(string model, int? weight = null) =>
        $$"""{"route_type":"llm/v1/chat","auth":{"header_name":"Authorization","header_value":"Bearer k"},"model":{"provider":"openai","name":"{{model}}"}{{(weight is { } w ? $",\"weight\":{w}" : "")}}}""";

    internal (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        var errors = new FieldErrors();
        var stored = Plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors.All);
    }

    [Fact]
    public void Balancer_defaults_are_kongs()
    {
        var (stored, errors) = Read(("""{"targets":[""" + Target("gpt-4o") + "]}"));

        Assert.Empty(errors);
        var balancer = stored["balancer"]!;
        Assert.Equal("round-robin", balancer["algorithm"]!.GetValue<string>());
        Assert.Equal(5, balancer["retries"]!.GetValue<int>());
        Assert.Equal(60000, balancer["connect_timeout"]!.GetValue<int>());
        Assert.Equal(60000, balancer["read_timeout"]!.GetValue<int>());
        Assert.Equal("tpot", balancer["latency_strategy"]!.GetValue<string>());
        Assert.Equal("X-Kong-LLM-Request-ID", balancer["hash_on_header"]!.GetValue<string>());
        Assert.Equal("""["error","timeout"]""", balancer["failover_criteria"]!.ToJsonString());
        Assert.Equal(100, stored["targets"]![0]!["weight"]!.GetValue<int>());
        Assert.NotNull(Plugin.CreateHandler(JsonNode.Parse(stored.ToJsonString())!.AsObject(), Guid.NewGuid()));
    }

    [Fact]
    public void Each_target_is_checked_as_ai_proxy_checks_its_config_with_the_error_at_the_target()
    {
        var (_, errors) = Read(("""{"targets":[""" + Target("gpt-4o") + """,{"route_type":"llm/v1/chat","model":{"provider":"ollama"}}]}"""));

        Assert.Equal("must set 'model.options.upstream_url' for self-hosted providers/models", errors["config.targets[1].@entity"]);
    }

    [Fact]
    public void Targets_are_required_and_non_empty()
    {
        Assert.Equal("required field missing", Read("{}").Errors["config.targets"]);
        Assert.Equal("expected a non-empty array", Read("""{"targets":[]}""").Errors["config.targets"]);
    }

    [Fact]
    public void Unknown_algorithms_and_failover_criteria_are_refused()
    {
        var (_, errors) = Read(("""{"targets":[""" + Target("gpt-4o") + """],"balancer":{"algorithm":"semantic","failover_criteria":["error","http_418"]}}"""));

        Assert.Contains("config.balancer.algorithm", errors.Keys);
        Assert.Contains(errors.Keys, k => k.StartsWith("config.balancer.failover_criteria", StringComparison.Ordinal));
    }
}
