using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// The <c>admins</c> entity on the admin API: <c>username</c> (unique, Kong's name characters), <c>role</c>, <c>tags</c>.
/// A <c>token</c> given on write is stored as a salted hash; nothing this schema writes ever holds the token or its hash.
/// </summary>
internal sealed class AdminSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.Admin;

    public string NameField => "username";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    /// <summary>Without a <c>token</c> field the entity has no hash, which the route table reads as "keep the stored token".</summary>
    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (readId, readCreatedAt) = CommonFields.Read(r);
        var (id, createdAt) = (readId ?? Guid.Empty, readCreatedAt ?? 0);
        var username = r.String("username", required: true);
        if (username is not null)
        {
            // Checked first and on its own: the name rule's regex would let a trailing newline through.
            if (username.Any(char.IsControl))
            {
                r.Error("username", "must not contain control characters");
            }
            else if (FieldRules.Name(username) is { } problem)
            {
                r.Error("username", problem);
            }
        }

        var role = r.OneOf("role", AdminRoles.Names, required: true);
        var token = r.String("token");
        if (token is not null && AdminToken.CheckNew(token) is { } tokenProblem)
        {
            r.Error("token", tokenProblem);
        }

        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();
        if (errors.Count > 0)
        {
            return null;
        }

        var (salt, hash) = token is null ? ("", "") : AdminToken.Protect(token);
        return new AdminEntity
        {
            Id = id,
            CreatedAt = createdAt,
            Username = username!,
            Role = role!,
            TokenSalt = salt,
            TokenHash = hash,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var a = (AdminEntity)entity;
        var json = new JsonObject
        {
            ["id"] = a.Id.ToString(),
            ["username"] = a.Username,
            ["role"] = a.Role,
        };
        JsonFields.WriteCommon(json, a);
        return json;
    }
}
