using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>consumers</c> schema: <c>username</c> and <c>custom_id</c>, each unique, at least one given.</summary>
internal sealed class ConsumerSchema : EntitySchema<ConsumerEntity>
{
    private static readonly ConfigField<string?> Username = Field.String("username").Described("unique", true);
    private static readonly ConfigField<string?> CustomId = Field.String("custom_id").Described("unique", true);

    private static readonly ConfigCheck AtLeastOne = ConfigCheck.Entity(
        (c, r) => r.Errors.Count == 0 && string.IsNullOrEmpty(c.Get(Username)) && string.IsNullOrEmpty(c.Get(CustomId))
            ? "at least one of these fields must be non-empty: 'custom_id', 'username'"
            : null,
        ConfigCheck.Rule("at_least_one_of", "custom_id", "username"));

    public ConsumerSchema()
        : base([Username, CustomId, AtLeastOne])
    {
    }

    public override EntityKind Kind => EntityKind.Consumer;

    public override string NameField => "username";

    public override JsonObject Write(GatewayEntity entity)
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

    protected override ConsumerEntity Bind(ConfigValues values) => new() { Username = values.Get(Username), CustomId = values.Get(CustomId) };
}
