namespace Turnpike.RouteTable;

/// <summary>The kinds of entity the route table holds; the names are Kong's table names.</summary>
public enum EntityKind
{
    Service,
    Route,
    Plugin,
    Consumer,
    KeyAuthCredential,
    Acl,
    BasicAuthCredential,
    JwtCredential,
    Upstream,
    Target,
    Admin,
    Certificate,
    Sni,
    CaCertificate,
    HmacAuthCredential,
    OAuth2Credential,
}

public static class EntityKindNames
{
    public static string TableName(this EntityKind kind) => kind switch
    {
        EntityKind.Service => "services",
        EntityKind.Route => "routes",
        EntityKind.Plugin => "plugins",
        EntityKind.Consumer => "consumers",
        EntityKind.KeyAuthCredential => "keyauth_credentials",
        EntityKind.Acl => "acls",
        EntityKind.BasicAuthCredential => "basicauth_credentials",
        EntityKind.JwtCredential => "jwt_secrets",
        EntityKind.Upstream => "upstreams",
        EntityKind.Target => "targets",
        EntityKind.Admin => "admins",
        EntityKind.Certificate => "certificates",
        EntityKind.Sni => "snis",
        EntityKind.CaCertificate => "ca_certificates",
        EntityKind.HmacAuthCredential => "hmacauth_credentials",
        EntityKind.OAuth2Credential => "oauth2_credentials",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Whether the declarative configuration covers this kind: a whole-table replacement (<c>POST /config</c>)
    /// replaces these and keeps the others (admins), so loading a gateway file never locks anyone out.
    /// </summary>
    public static bool IsDeclarative(this EntityKind kind) => kind != EntityKind.Admin;
}
