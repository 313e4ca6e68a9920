using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Turnpike.Cluster;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Kong's <c>GET /</c>: what Kong's clients read before they talk. decK and the ingress controller gate behaviour on
/// <c>version</c> (Kong 3 behaviour from 3.0, the controller refuses anything below 3.4.1), so it names the Kong release
/// whose Admin API this one speaks (<see cref="KongVersion"/>); Turnpike's own version is <c>turnpike_version</c>.
/// Fields that describe Kong's runtime (<c>lua_version</c>, <c>timers</c>, <c>pids</c>) are left out rather than invented.
/// </summary>
internal sealed class NodeInfoEndpoint(
    RouteTableStore store,
    EdgeIdentity identity,
    PluginRegistry plugins,
    IOptions<EdgeOptions> options,
    IOptions<TurnpikeClusterOptions> cluster)
{
    /// <summary>The Kong release whose Admin API shapes (and plugin schemas) Turnpike follows.</summary>
    public const string KongVersion = "3.9.0";

    public const string TurnpikeVersion = "0.1.0";

    public Task GetAsync(HttpContext context)
    {
        var available = new JsonObject();
        foreach (var plugin in plugins.All)
        {
            available[plugin.Name] = new JsonObject { ["version"] = plugin.Version, ["priority"] = plugin.Priority };
        }

        var o = options.Value;
        return AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["version"] = KongVersion,
            ["turnpike_version"] = TurnpikeVersion,
            ["edition"] = "community",
            ["tagline"] = "Welcome to turnpike",
            ["hostname"] = identity.Hostname,
            ["node_id"] = identity.EdgeId,
            ["plugins"] = new JsonObject
            {
                ["available_on_server"] = available,
                ["enabled_in_cluster"] = new JsonArray([.. store.Current.PluginNames.Select(n => (JsonNode?)n)]),
            },
            ["configuration"] = new JsonObject
            {
                ["database"] = Database(cluster.Value),

                // Every edge proxies and serves the admin API, as a Kong node in the traditional role does.
                ["role"] = "traditional",
                ["region"] = identity.Region,
                ["dev"] = o.Dev,
                ["proxy_listen"] = o.Proxy.Urls,
                ["admin_listen"] = o.Admin.Urls,
                ["status_listen"] = o.Status.Urls,
                ["cluster"] = o.Dev ? "embedded" : "client",
            },
        });
    }

    /// <summary>
    /// Kong's <c>database</c>: <c>postgres</c> where the cluster keeps its state in PostgreSQL (AdoNet), <c>off</c> for
    /// in-memory state (<c>--dev</c>, as Kong's DB-less mode), and <c>redis</c> — a value of ours — where Redis holds it.
    /// </summary>
    public static string Database(TurnpikeClusterOptions cluster) =>
        cluster.Uses(StorageProviders.AdoNet) ? "postgres" : cluster.Uses(StorageProviders.Redis) ? "redis" : "off";
}
