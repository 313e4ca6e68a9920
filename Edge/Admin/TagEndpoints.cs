using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Kong's cross-entity tag listing: <c>GET /tags</c> (every tag of every entity) and <c>GET /tags/{tag}</c> (the entities
/// carrying one tag), one row per entity and tag, <c>{"entity_name", "entity_id", "tag"}</c>, paged by rows with
/// <c>size</c> and an opaque <c>offset</c> as every Kong listing. Rows come kind by kind (the order of
/// <see cref="EntityKind"/>) and by id within a kind; an offset names the last entity listed in full and how many
/// tags of the next one were already given. Admin accounts are not listed: they are not Kong entities.
/// </summary>
internal sealed class TagEndpoints(RouteTableClient table)
{
    private static readonly EntityKind[] Kinds = [.. Enum.GetValues<EntityKind>().Where(k => k != EntityKind.Admin)];

    public Task ListAllAsync(HttpContext context) => ListAsync(context, null);

    public Task ListOneAsync(HttpContext context)
    {
        var tag = (string)context.Request.RouteValues["tag"]!;
        if (FieldRules.Tag(tag) is { } problem)
        {
            return AdminJson.ErrorAsync(context, new AdminError
            {
                Code = AdminError.InvalidOptionsCode,
                Name = "invalid options",
                Message = $"invalid option (tags: {problem})",
                Fields = new() { ["tags"] = problem },
            });
        }

        return ListAsync(context, tag);
    }

    private async Task ListAsync(HttpContext context, string? tag)
    {
        var (size, error) = ListQuery.ParseSize(context.Request.Query);
        if (error is not null)
        {
            await AdminJson.ErrorAsync(context, error);
            return;
        }

        var position = Position.Start;
        if (context.Request.Query.TryGetValue("offset", out var offsetText) && offsetText.ToString() is { Length: > 0 } offset)
        {
            if (Position.Decode(offset) is not { } decoded)
            {
                await AdminJson.ErrorAsync(context, new AdminError { Code = AdminError.InvalidOffsetCode, Name = "invalid offset", Message = $"'{offset}' is not a valid offset: bad base64 encoding" });
                return;
            }

            position = decoded;
        }

        var rows = new JsonArray();
        Position? next = null;
        for (var k = position.Kind; k < Kinds.Length && next is null; k++)
        {
            var after = k == position.Kind ? position.After : null;
            var skip = k == position.Kind ? position.Skip : 0;
            var entityQuery = new EntityQuery { Kind = Kinds[k], Size = ListQuery.MaxSize, After = after, Tags = tag is null ? null : [tag] };
            while (next is null)
            {
                var page = await table.List(entityQuery);
                foreach (var entity in page.Items)
                {
                    var tags = tag is null ? entity.Tags ?? [] : [tag];
                    for (var t = skip; t < tags.Length; t++)
                    {
                        if (rows.Count == size)
                        {
                            next = new Position(k, after, t);
                            break;
                        }

                        rows.Add(new JsonObject { ["entity_name"] = Kinds[k].TableName(), ["entity_id"] = entity.Id.ToString(), ["tag"] = tags[t] });
                    }

                    if (next is not null)
                    {
                        break;
                    }

                    (after, skip) = (entity.Id, 0);
                }

                if (page.NextAfter is null)
                {
                    break;
                }

                entityQuery = entityQuery with { After = page.NextAfter };
            }
        }

        var body = new JsonObject { ["data"] = rows, ["next"] = null };
        if (next is not null)
        {
            var encoded = next.Encode();
            var sizeParameter = context.Request.Query.ContainsKey("size") ? $"&size={size}" : "";
            body["next"] = $"{context.Request.Path}?offset={encoded}{sizeParameter}";
            body["offset"] = encoded;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, body);
    }

    /// <summary>Where a page starts: the kind, the last entity of it listed in full, and the tags of the next one already given.</summary>
    private sealed record Position(int Kind, Guid? After, int Skip)
    {
        public static readonly Position Start = new(0, null, 0);

        public string Encode()
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{Kind}:{After?.ToString("N") ?? ""}:{Skip}");
            return Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        public static Position? Decode(string offset)
        {
            var base64 = offset.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - (base64.Length % 4)) % 4);
            var bytes = new byte[64];
            if (offset.Length > 80 || !Convert.TryFromBase64String(base64, bytes, out var written))
            {
                return null;
            }

            var parts = Encoding.ASCII.GetString(bytes, 0, written).Split(':');
            return parts.Length == 3
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kind) && kind < Kinds.Length
                && (parts[1].Length == 0 || Guid.TryParseExact(parts[1], "N", out _))
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var skip) && skip < 10_000
                ? new Position(kind, parts[1].Length == 0 ? null : Guid.ParseExact(parts[1], "N"), skip)
                : null;
        }
    }
}
