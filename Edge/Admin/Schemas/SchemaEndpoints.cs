using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// <c>GET /schemas/plugins/{name}</c>: a plugin's declaration in Kong's schema JSON, so tools written for Kong
/// (decK, Konnect-style UIs) can render and pre-validate its configuration. Entity checks over <c>config.*</c> sit at the
/// top level, where Kong puts them.
/// </summary>
internal static class PluginSchemaEndpoint
{
    public static Task GetAsync(HttpContext context, PluginRegistry plugins)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        if (plugins.Find(name) is not { } plugin)
        {
            return AdminJson.MessageAsync(context, StatusCodes.Status404NotFound, $"No plugin named '{name}'");
        }

        return AdminJson.WriteAsync(context, StatusCodes.Status200OK, Describe(plugin));
    }

    public static JsonObject Describe(IGatewayPlugin plugin)
    {
        var config = plugin.DescribeConfig();
        config["required"] = true;
        var checks = config["entity_checks"];
        config.Remove("entity_checks");
        var schema = new JsonObject { ["fields"] = new JsonArray(new JsonObject { ["config"] = config }) };
        if (checks is not null)
        {
            schema["entity_checks"] = checks;
        }

        return schema;
    }
}
