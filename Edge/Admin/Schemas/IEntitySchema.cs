using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>How one kind of entity looks on the admin API: its fields, defaults and checks, both ways.</summary>
internal interface IEntitySchema
{
    EntityKind Kind { get; }

    /// <summary>The field Kong's endpoints accept in place of the id (its <c>endpoint_key</c>), e.g. <c>name</c>.</summary>
    string NameField { get; }

    /// <summary>
    /// What the route table finds a <paramref name="key"/> given in a path under <paramref name="parentId"/> by:
    /// the key itself, except for entities whose names are unique only within their parent (ACL groups).
    /// </summary>
    string LookupKey(string key, Guid? parentId);

    /// <summary>
    /// Fields that hold secrets (a certificate's private keys): left out of what a <c>read-only</c> admin reads,
    /// listings and <c>GET /config</c> included.
    /// </summary>
    IReadOnlyList<string> SecretFields { get; }

    /// <summary>Foreign key fields (<c>{"id"}</c> or <c>{"name"}</c> objects) and the kind each names.</summary>
    IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys { get; }

    /// <summary>Reads an entity; <see cref="GatewayEntity.Id"/> is empty when the body gave none. Null when <paramref name="errors"/> has any.</summary>
    GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce);

    JsonObject Write(GatewayEntity entity);

    /// <summary>Kong's schema JSON of this kind (<c>GET /schemas/{entity}</c>), from the declaration <see cref="Read"/> validates with.</summary>
    JsonObject Describe();
}
