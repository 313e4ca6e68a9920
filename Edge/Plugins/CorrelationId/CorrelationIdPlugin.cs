using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.CorrelationId;

/// <summary>Kong's correlation-id: gives each request an id header (kept when the client sent one), optionally echoed back.</summary>
internal sealed class CorrelationIdPlugin : IGatewayPlugin
{
    public string Name => "correlation-id";

    public int Priority => 100001;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var headerName = config.HeaderName("header_name") ?? "Kong-Request-ID";

        var generator = config.String("generator") ?? "uuid#counter";
        if (generator is not ("uuid" or "uuid#counter" or "tracker"))
        {
            config.Error("generator", "expected one of: uuid, uuid#counter, tracker");
        }

        var echo = config.Boolean("echo_downstream") ?? false;
        config.RejectUnknown();
        return new JsonObject { ["header_name"] = headerName, ["generator"] = generator, ["echo_downstream"] = echo };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new CorrelationIdHandler(
        config["header_name"]!.GetValue<string>(),
        config["generator"]!.GetValue<string>(),
        config["echo_downstream"]!.GetValue<bool>());
}
