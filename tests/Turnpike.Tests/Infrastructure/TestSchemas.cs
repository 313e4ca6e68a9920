using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;

namespace Turnpike.Tests.Infrastructure;

/// <summary>The admin API's schemas as the edge wires them, for tests that read or write entities without an edge.</summary>
internal static class TestSchemas
{
    /// <summary>The credential kinds the plugins register, taken from the edge's own registration (only these are built).</summary>
    private static readonly ICredentialSchema[] Credentials = [.. new ServiceCollection().AddTurnpikePlugins().BuildServiceProvider().GetServices<ICredentialSchema>()];

    public static EntitySchemas Create(PluginRegistry plugins) => new(
        new ServiceSchema(), new RouteSchema(), new PluginSchema(plugins), new ConsumerSchema(), new UpstreamSchema(), new TargetSchema(),
        new Turnpike.Edge.Admin.Authentication.AdminSchema(), new CertificateSchema(), new SniSchema(), new CaCertificateSchema(), Credentials);
}
