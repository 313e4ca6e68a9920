using System.Collections.Frozen;
using System.Reflection;

namespace Turnpike.RouteTable;

/// <summary>
/// The kinds of entity the route table holds, each with Kong's table name (<see cref="EntityTableAttribute"/>). Stored and
/// sent by number: a new kind is appended, never inserted.
/// </summary>
public enum EntityKind
{
    [EntityTable("services")] Service,
    [EntityTable("routes")] Route,
    [EntityTable("plugins")] Plugin,
    [EntityTable("consumers")] Consumer,
    [EntityTable("keyauth_credentials")] KeyAuthCredential,
    [EntityTable("acls")] Acl,
    [EntityTable("basicauth_credentials")] BasicAuthCredential,
    [EntityTable("jwt_secrets")] JwtCredential,
    [EntityTable("upstreams")] Upstream,
    [EntityTable("targets")] Target,
    [EntityTable("admins")] Admin,
    [EntityTable("certificates")] Certificate,
    [EntityTable("snis")] Sni,
    [EntityTable("ca_certificates")] CaCertificate,
    [EntityTable("hmacauth_credentials")] HmacAuthCredential,
    [EntityTable("oauth2_credentials")] OAuth2Credential,
}

/// <summary>Kong's table name of an <see cref="EntityKind"/>: its admin <c>/schemas</c> name and, for credentials, its declarative field.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class EntityTableAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

public static class EntityKindNames
{
    // Read once from the attributes, so a kind's name is declared on the kind itself.
    private static readonly FrozenDictionary<EntityKind, string> Tables = typeof(EntityKind)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToFrozenDictionary(f => (EntityKind)f.GetValue(null)!, f => f.GetCustomAttribute<EntityTableAttribute>()!.Name);

    public static string TableName(this EntityKind kind) =>
        Tables.TryGetValue(kind, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(kind));

    /// <summary>
    /// Whether the declarative configuration covers this kind: a whole-table replacement (<c>POST /config</c>)
    /// replaces these and keeps the others (admins), so loading a gateway file never locks anyone out.
    /// </summary>
    public static bool IsDeclarative(this EntityKind kind) => kind != EntityKind.Admin;
}
