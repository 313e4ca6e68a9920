using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.BasicAuth;

/// <summary>Kong's basic-auth: identifies the consumer by a username and password in the Authorization header.</summary>
internal sealed class BasicAuthPlugin : IGatewayPlugin
{
    public string Name => "basic-auth";

    public int Priority => 1100;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var result = new JsonObject
        {
            ["anonymous"] = config.String("anonymous"),
            ["hide_credentials"] = config.Boolean("hide_credentials") ?? false,
            ["realm"] = config.String("realm") ?? "service",
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new BasicAuthHandler(
        config["anonymous"]?.GetValue<string>(),
        config["hide_credentials"]!.GetValue<bool>(),
        config["realm"]!.GetValue<string>());
}
