using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>/schemas</c> endpoints, answered from the declarations the admin API validates with (never a second copy):
/// <c>GET /schemas/{entity}</c> and <c>GET /schemas/plugins/{name}</c> describe them in Kong's schema JSON, so tools
/// written for Kong (decK, Kong Manager's forms) can render and pre-validate; <c>POST /schemas/{entity}/validate</c> and
/// <c>POST /schemas/plugins/validate</c> run the validation of a write without storing anything. A plugin's entity checks
/// over <c>config.*</c> sit at the top level, where Kong puts them.
/// </summary>
internal sealed class SchemaEndpoints(EntitySchemas schemas, PluginRegistry plugins)
{
    public Task GetEntityAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["entity"]!;
        return schemas.Find(name) is { } schema
            ? AdminJson.WriteAsync(context, StatusCodes.Status200OK, schema.Describe())
            : AdminJson.MessageAsync(context, StatusCodes.Status404NotFound, $"No entity named '{name}'");
    }

    public Task GetPluginAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        return plugins.Find(name) is { } plugin
            ? AdminJson.WriteAsync(context, StatusCodes.Status200OK, Describe(plugin))
            : AdminJson.MessageAsync(context, StatusCodes.Status404NotFound, $"No plugin named '{name}'");
    }

    public Task ValidateEntityAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["entity"]!;
        return schemas.Find(name) is { } schema
            ? ValidateAsync(context, schema)
            : AdminJson.MessageAsync(context, StatusCodes.Status404NotFound, $"No entity named '{name}'");
    }

    public Task ValidatePluginAsync(HttpContext context) => ValidateAsync(context, schemas.For(EntityKind.Plugin));

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

    /// <summary>Kong's answer: 200 with a message when the body would be accepted, the write's own 400 when not.</summary>
    private static async Task ValidateAsync(HttpContext context, IEntitySchema schema)
    {
        var (body, problem) = await AdminRequestBody.ReadAsync(context.Request);
        if (body is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, problem!);
            return;
        }

        var errors = new FieldErrors();
        if (schema.Read(body.Json, errors, body.Coerce) is null)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        await AdminJson.MessageAsync(context, StatusCodes.Status200OK, "schema validation successful");
    }
}
