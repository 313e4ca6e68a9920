using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestSizeLimiting;

/// <summary>Kong's request-size-limiting: refuses request bodies larger than the allowed size.</summary>
internal sealed class RequestSizeLimitingPlugin : IGatewayPlugin
{
    private static readonly string[] Units = ["megabytes", "kilobytes", "bytes"];

    public string Name => "request-size-limiting";

    public int Priority => 951;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var size = config.Integer("allowed_payload_size", 0, int.MaxValue) ?? 128;
        var unit = config.String("size_unit") ?? "megabytes";
        if (!Units.Contains(unit))
        {
            config.Error("size_unit", "expected one of: " + string.Join(", ", Units));
        }

        var requireLength = config.Boolean("require_content_length") ?? false;
        config.RejectUnknown();
        return new JsonObject { ["allowed_payload_size"] = size, ["size_unit"] = unit, ["require_content_length"] = requireLength };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId)
    {
        var size = (long)config["allowed_payload_size"]!.GetValue<int>();
        var bytes = config["size_unit"]!.GetValue<string>() switch
        {
            "megabytes" => size * 1024 * 1024,
            "kilobytes" => size * 1024,
            _ => size,
        };
        return new RequestSizeLimitingHandler(bytes, config["require_content_length"]!.GetValue<bool>());
    }
}
