using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// <c>GET /config</c> exports the table as Kong's declarative YAML (<c>{"config": "..."}</c>, or the YAML itself
/// with <c>?format=yaml</c>); <c>POST /config</c> validates a whole file and replaces the table in one write, with Kong's
/// <c>?check_hash=1</c> (304 when the file holds what the table holds) and <c>?flatten_errors=1</c> (errors listed per entity).
/// </summary>
internal sealed class ConfigEndpoints(DeclarativeConfig config, AdminWriter writer, EntitySchemas schemas)
{
    public async Task ExportAsync(HttpContext context)
    {
        var delta = await writer.Table.GetChangesSince(long.MinValue);
        var yaml = YamlJson.Write(config.Export(delta.Upserts, withSecrets: Authentication.AdminCaller.MaySeeSecrets(context)));
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
        // Kong's flags: check_hash only as "1" (older than the other, so stricter); flatten_errors as any truthy value.
        var query = context.Request.Query;
        var checkHash = query["check_hash"] == "1";
        var flattenErrors = query["flatten_errors"].ToString().ToLowerInvariant() is "1" or "true" or "on" or "yes";
        var text = await ReadConfigTextAsync(context);
        if (text is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, "expected a declarative configuration");
            return;
        }

        var read = config.Parse(text);
        if (read.Write is not { } write)
        {
            await (flattenErrors && read.Parsed
                ? AdminJson.WriteAsync(context, StatusCodes.Status400BadRequest, DeclarativeErrorFlattener.ErrorBody(read))
                : AdminJson.ErrorAsync(context, read.Error!));
            return;
        }

        if (checkHash)
        {
            // Kong answers 304 without a body when the file is the one it runs; here, when it reads to the table's content.
            var current = await writer.Table.GetChangesSince(long.MinValue);
            if (config.ContentHash(current.Upserts) == config.ContentHash(write.Upserts))
            {
                context.Response.Headers[AdminJson.VersionHeader] = current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
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
            var form = await AdminBody.ReadFormAsync(request);
            if (form.Files.GetFile("config") is { } file)
            {
                // The form reader kept the file within the body limit already.
                using var fileReader = new StreamReader(file.OpenReadStream());
                return await fileReader.ReadToEndAsync(context.RequestAborted);
            }

            return form["config"].ToString() is { Length: > 0 } value ? value : null;
        }

        var bytes = await AdminBody.ReadBytesAsync(request);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Kong's JSON form wraps the file in {"config": "..."}; a bare JSON or YAML document is taken as the file.
        // Anything else the bounded JSON reader refuses is left to the YAML reader, which has the same budgets and
        // says what is wrong in a declarative configuration error.
        if ((request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase)
            && BoundedJson.Parse(bytes).Node is JsonObject obj && obj.Count == 1 && obj["config"] is JsonValue inner && inner.TryGetValue<string>(out var wrapped))
        {
            return wrapped;
        }

        return text;
    }
}
