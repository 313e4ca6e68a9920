using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// The <c>admins</c> entity on the admin API: <c>username</c> (unique, Kong's name characters), <c>role</c>, <c>tags</c>.
/// A <c>token</c> given on write is stored as a salted hash; nothing this schema writes ever holds the token or its hash.
/// </summary>
internal sealed class AdminSchema : EntitySchema<AdminEntity>
{
    // Control characters are refused first and on their own: the name rule's regex would let a trailing newline through.
    private static readonly ConfigField<string?> Username = Field.String("username", required: true)
        .Check(u => u!.Any(char.IsControl) ? "must not contain control characters" : FieldRules.Name(u!))
        .Described("unique", true);

    private static readonly ConfigField<string?> Role = Field.OneOf("role", AdminRoles.Names, required: true);

    /// <summary>Write-only: stored as a salted hash, never written back.</summary>
    private static readonly ConfigField<string?> Token = Field.String("token").Check(t => AdminToken.CheckNew(t!)).Described("encrypted", true);

    public AdminSchema()
        : base([Username, Role, Token])
    {
    }

    public override EntityKind Kind => EntityKind.Admin;

    public override string NameField => "username";

    public override JsonObject Write(GatewayEntity entity)
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

    /// <summary>Without a <c>token</c> field the entity has no hash, which the route table reads as "keep the stored token".</summary>
    protected override AdminEntity Bind(ConfigValues values)
    {
        var (salt, hash) = values.Get(Token) is { } token ? AdminToken.Protect(token) : ("", "");
        return new()
        {
            Username = values.Get(Username)!,
            Role = values.Get(Role)!,
            TokenSalt = salt,
            TokenHash = hash,
        };
    }
}
