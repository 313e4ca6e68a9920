using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;

namespace Turnpike.Tests.Infrastructure;

/// <summary>The admin API's schemas as the edge wires them, for tests that read or write entities without an edge.</summary>
internal static class TestSchemas
{
    public static EntitySchemas Create(PluginRegistry plugins) => new(
        new ServiceSchema(), new RouteSchema(), new PluginSchema(plugins), new ConsumerSchema(),
        new KeyAuthCredentialSchema(), new AclSchema(), new BasicAuthCredentialSchema(), new JwtCredentialSchema(), new UpstreamSchema(), new TargetSchema(),
        new Turnpike.Edge.Admin.Authentication.AdminSchema(), new CertificateSchema(), new SniSchema(), new CaCertificateSchema(), new HmacAuthCredentialSchema(), new OAuth2CredentialSchema());
}
