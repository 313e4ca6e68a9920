namespace Turnpike.Edge.Admin.Schemas;

/// <summary>The schema of each entity kind.</summary>
internal sealed class EntitySchemas(
    ServiceSchema services,
    RouteSchema routes,
    PluginSchema plugins,
    ConsumerSchema consumers,
    KeyAuthCredentialSchema keyAuths,
    AclSchema acls,
    BasicAuthCredentialSchema basicAuths,
    JwtCredentialSchema jwts,
    UpstreamSchema upstreams,
    TargetSchema targets,
    Authentication.AdminSchema admins,
    CertificateSchema certificates,
    SniSchema snis,
    CaCertificateSchema caCertificates,
    HmacAuthCredentialSchema hmacAuths,
    OAuth2CredentialSchema oauth2s)
{
    /// <summary>The schema of the kind whose table (and <c>/schemas</c>) name is <paramref name="tableName"/>; null for any other name.</summary>
    public IEntitySchema? Find(string tableName) =>
        Enum.GetValues<EntityKind>().Where(k => k.TableName() == tableName).Select(For).FirstOrDefault();

    public IEntitySchema For(EntityKind kind) => kind switch
    {
        EntityKind.Service => services,
        EntityKind.Route => routes,
        EntityKind.Plugin => plugins,
        EntityKind.Consumer => consumers,
        EntityKind.KeyAuthCredential => keyAuths,
        EntityKind.Acl => acls,
        EntityKind.BasicAuthCredential => basicAuths,
        EntityKind.JwtCredential => jwts,
        EntityKind.Upstream => upstreams,
        EntityKind.Target => targets,
        EntityKind.Admin => admins,
        EntityKind.Certificate => certificates,
        EntityKind.Sni => snis,
        EntityKind.CaCertificate => caCertificates,
        EntityKind.HmacAuthCredential => hmacAuths,
        EntityKind.OAuth2Credential => oauth2s,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
