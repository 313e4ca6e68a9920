using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Small helpers for writing entity JSON in Kong's shape.</summary>
internal static class JsonFields
{
    public static JsonArray? Array(IEnumerable<string>? values) => values is null ? null : new JsonArray([.. values.Select(v => (JsonNode?)v)]);

    public static JsonObject? Reference(Guid? id) => id is { } value ? new JsonObject { ["id"] = value.ToString() } : null;

    public static void WriteCommon(JsonObject json, GatewayEntity entity)
    {
        json["created_at"] = entity.CreatedAt;
        json["updated_at"] = entity.UpdatedAt;
        json["tags"] = Array(entity.Tags);
    }
}
