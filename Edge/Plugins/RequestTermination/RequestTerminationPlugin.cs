using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestTermination;

/// <summary>Kong's request-termination: answers with a fixed status and message or body, never reaching the upstream.</summary>
internal sealed class RequestTerminationPlugin : IGatewayPlugin
{
    public string Name => "request-termination";

    public int Priority => 2;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var status = config.Integer("status_code", 100, 599) ?? 503;
        var message = config.String("message");
        var contentType = config.String("content_type");
        var body = config.String("body", multiLine: true);
        var echo = config.Boolean("echo") ?? false;
        var trigger = config.String("trigger");
        if (message is not null && (contentType is not null || body is not null))
        {
            config.Error("@entity", "message cannot be used with content_type or body");
        }

        if (contentType is not null && body is null)
        {
            config.Error("@entity", "content_type requires a body");
        }

        if (echo && (message is not null || body is not null))
        {
            config.Error("@entity", "echo cannot be used with message or body");
        }

        config.RejectUnknown();
        return new JsonObject
        {
            ["status_code"] = status,
            ["message"] = message,
            ["content_type"] = contentType,
            ["body"] = body,
            ["echo"] = echo,
            ["trigger"] = trigger,
        };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new RequestTerminationHandler(
        config["status_code"]!.GetValue<int>(),
        config["message"]?.GetValue<string>(),
        config["content_type"]?.GetValue<string>(),
        config["body"]?.GetValue<string>(),
        config["echo"]!.GetValue<bool>(),
        config["trigger"]?.GetValue<string>());
}
