using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.RouteTable;

/// <summary>An immutable view of one version of the route table: the matcher, consumer, admin and certificate directories built from it. Swapped whole.</summary>
internal sealed class RouteTableSnapshot(
    long version, RouteMatcher matcher, ConsumerDirectory consumers, AdminDirectory admins, IReadOnlyList<string> pluginNames, Tls.CertificateDirectory certificates, string digest = "", Plugins.PluginChain? globalPlugins = null)
{
    public static readonly RouteTableSnapshot Empty = new(-1, RouteMatcher.Empty, ConsumerDirectory.Empty, AdminDirectory.Empty, [], Tls.CertificateDirectory.Empty);

    /// <summary>The digest of the table's content (<see cref="TableDigest"/>); empty where the snapshot was built without one.</summary>
    public string Digest { get; } = digest;

    /// <summary>The table version; -1 until the edge has loaded one.</summary>
    public long Version { get; } = version;

    public RouteMatcher Matcher { get; } = matcher;

    public ConsumerDirectory Consumers { get; } = consumers;

    /// <summary>The admins whose tokens the admin API accepts (see docs/architecture.md, "Admin authentication").</summary>
    public AdminDirectory Admins { get; } = admins;

    /// <summary>The certificates served by SNI and used towards upstreams (<c>certificates</c>, <c>snis</c>, <c>ca_certificates</c>).</summary>
    public Tls.CertificateDirectory Certificates { get; } = certificates;

    /// <summary>
    /// The plugins configured for no route and no service (Kong's global plugins): the ones whose response-headers and
    /// log phases run for a request the router answers (no route matched, wrong protocol, no service).
    /// </summary>
    public Plugins.PluginChain GlobalPlugins { get; } = globalPlugins ?? Plugins.PluginChain.Empty;

    /// <summary>The names of the plugins configured in the table (Kong's <c>enabled_in_cluster</c>).</summary>
    public IReadOnlyList<string> PluginNames { get; } = pluginNames;
}
