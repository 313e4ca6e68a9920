using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// <c>GET /config</c> exports the table as Kong's declarative YAML (<c>{"config": "..."}</c>, or the YAML itself
/// with <c>?format=yaml</c>); <c>POST /config</c> validates a whole file and replaces the table in one write.
/// </summary>
internal sealed class ConfigEndpoints(DeclarativeConfig config, AdminWriter writer, EntitySchemas schemas)
{
    public async Task ExportAsync(HttpContext context)
    {
        var delta = await writer.Table.GetChangesSince(long.MinValue);
        var yaml = YamlJson.Write(config.Export(delta.Upserts));
        context.Response.Headers[AdminJson.VersionHeader] = delta.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (context.Request.Query["format"] == "yaml")
        {
            context.Response.ContentType = "application/yaml; charset=utf-8";
            await context.Response.WriteAsync(yaml);
            return;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["config"] = yaml });
    }

    public async Task ReplaceAsync(HttpContext context)
    {
        var text = await ReadConfigTextAsync(context);
        if (text is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, "expected a declarative configuration");
            return;
        }

        var (write, error) = config.Read(text);
        if (write is null)
        {
            await AdminJson.ErrorAsync(context, error!);
            return;
        }

        var result = await writer.Table.Write(write);
        var body = new JsonObject();
        foreach (var group in result.Stored.GroupBy(e => e.Kind))
        {
            var schema = schemas.For(group.Key);
            body[group.Key.TableName()] = new JsonObject(group.Select(e => KeyValuePair.Create(e.Id.ToString(), (JsonNode?)schema.Write(e))));
        }

        await AdminWriter.RespondAsync(context, result, StatusCodes.Status201Created, body);
    }

    private static async Task<string?> ReadConfigTextAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            if (form.Files.GetFile("config") is { } file)
            {
                using var fileReader = new StreamReader(file.OpenReadStream());
                return await fileReader.ReadToEndAsync();
            }

            return form["config"].ToString() is { Length: > 0 } value ? value : null;
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Kong's JSON form wraps the file in {"config": "..."}; a bare JSON or YAML document is taken as the file.
        if ((request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject obj && obj.Count == 1 && obj["config"] is JsonValue inner && inner.TryGetValue<string>(out var wrapped))
                {
                    return wrapped;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                return text;
            }
        }

        return text;
    }
}
