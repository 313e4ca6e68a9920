using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Observability;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Plugins.KeyAuth;
using Turnpike.Edge.Plugins.TcpLog;
using Turnpike.Edge.Plugins.UdpLog;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Schema;

/// <summary>Converted plugins store exactly what they stored before the declarations, defaults included.</summary>
[Fast]
public sealed class PluginDeclarationTests
{
    private static (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(IGatewayPlugin plugin, string json)
    {
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors.All);
    }

    [Fact]
    public void Key_auth_defaults_are_stored_as_before()
    {
        var (stored, errors) = Read(new KeyAuthPlugin(), "{}");
        Assert.Empty(errors);
        Assert.Equal(
            """{"key_names":["apikey"],"key_in_header":true,"key_in_query":true,"key_in_body":false,"hide_credentials":false,"anonymous":null,"run_on_preflight":true,"realm":null}""",
            stored.ToJsonString());
    }

    [Fact]
    public void Ai_proxy_stores_the_provider_dependent_format_default()
    {
        var plugin = new AiProxyPlugin(NullLoggerFactory.Instance);
        var (stored, errors) = Read(plugin, """{"route_type":"llm/v1/chat","model":{"provider":"llama2","options":{"upstream_url":"http://127.0.0.1:1/"}}}""");
        Assert.Empty(errors);
        Assert.Equal("ollama", stored["model"]!["options"]!["llama2_format"]!.GetValue<string>());
        Assert.Null(stored["model"]!["options"]!["mistral_format"]);
        Assert.Equal("query", stored["auth"]!["param_location"]!.GetValue<string>());
        Assert.NotNull(plugin.CreateHandler(JsonNode.Parse(stored.ToJsonString())!.AsObject(), Guid.NewGuid()));
    }

    [Fact]
    public void Ai_proxy_checks_across_records_report_at_the_entity()
    {
        var (_, errors) = Read(new AiProxyPlugin(NullLoggerFactory.Instance), """{"route_type":"llm/v1/chat","auth":{"header_name":"x"},"model":{"provider":"ollama"}}""");
        Assert.Equal("all or none of these fields must be set: 'config.auth.header_name', 'config.auth.header_value'", errors["config.@entity"]);

        (_, errors) = Read(new AiProxyPlugin(NullLoggerFactory.Instance), """{"route_type":"llm/v1/chat","model":{"provider":"ollama"}}""");
        Assert.Equal("must set 'model.options.upstream_url' for self-hosted providers/models", errors["config.@entity"]);

        (_, errors) = Read(new AiProxyPlugin(NullLoggerFactory.Instance), """{"route_type":"llm/v1/chat"}""");
        Assert.Equal("required field missing", errors["config.model"]);
    }

    [Fact]
    public void Socket_log_plugins_declare_port_required_and_refuse_a_config_without_it()
    {
        var metrics = new LogMetrics(new GatewayMetrics(Options.Create(new MetricsOptions())));
        IGatewayPlugin[] plugins = [new TcpLogPlugin(metrics, NullLoggerFactory.Instance, TimeProvider.System), new UdpLogPlugin(metrics, NullLoggerFactory.Instance, TimeProvider.System)];
        foreach (var plugin in plugins)
        {
            var port = plugin.DescribeConfig()["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey("port"))["port"]!;
            Assert.Equal("""{"type":"integer","required":true,"between":[0,65535]}""", port.ToJsonString());

            var (_, errors) = Read(plugin, """{"host":"127.0.0.1"}""");
            Assert.Equal("required field missing", Assert.Single(errors, e => e.Key == "config.port").Value);
            (_, errors) = Read(plugin, """{"host":"127.0.0.1","port":70000}""");
            Assert.Equal("value should be between 0 and 65535", errors["config.port"]);
            var (stored, none) = Read(plugin, """{"host":"127.0.0.1","port":9}""");
            Assert.Empty(none);
            Assert.Equal(9, stored["port"]!.GetValue<int>());
            Assert.Equal(10_000, stored["timeout"]!.GetValue<int>());
        }
    }
}
