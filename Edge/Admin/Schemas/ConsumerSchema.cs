using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>consumers</c> schema: <c>username</c> and <c>custom_id</c>, each unique, at least one given.</summary>
internal sealed class ConsumerSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.Consumer;

    public string NameField => "username";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var consumer = new ConsumerEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Username = r.String("username"),
            CustomId = r.String("custom_id"),
            Tags = r.Strings("tags", FieldRules.Tag),
        };
        r.RejectUnknown();
        if (errors.Count == 0 && string.IsNullOrEmpty(consumer.Username) && string.IsNullOrEmpty(consumer.CustomId))
        {
            errors.Add("@entity", "at least one of these fields must be non-empty: 'custom_id', 'username'");
        }

        return errors.Count == 0 ? consumer : null;
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var c = (ConsumerEntity)entity;
        var json = new JsonObject
        {
            ["id"] = c.Id.ToString(),
            ["username"] = c.Username,
            ["custom_id"] = c.CustomId,
        };
        JsonFields.WriteCommon(json, c);
        return json;
    }
}
