using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Status;

/// <summary>
/// Health: Kong's <c>GET /status</c> (with the config version this edge serves), <c>/status/ready</c>,
/// and the cluster's edges (<c>/clustering/data-planes</c>). <c>GET /</c> is <see cref="Admin.NodeInfoEndpoint"/>.
/// </summary>
internal sealed class StatusEndpoints(
    RouteTableStore store,
    RouteTableSyncMetrics sync,
    EdgeCounters counters,
    EdgeIdentity identity,
    IGrainFactory grains,
    IOptions<EdgeOptions> options,
    TimeProvider time)
{
    /// <summary>The cluster counts as reachable while the edge has heard from it within three poll intervals.</summary>
    private bool ClusterReachable => store.LastContact is { } last && time.GetUtcNow() - last < options.Value.Sync.PollInterval * 3;

    public Task StatusAsync(HttpContext context)
    {
        var process = Process.GetCurrentProcess();
        var snapshot = store.Current;
        return AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["database"] = new JsonObject { ["reachable"] = ClusterReachable },
            ["server"] = new JsonObject
            {
                ["connections_accepted"] = counters.Accepted,
                ["connections_active"] = counters.Active,
                ["connections_handled"] = counters.Accepted,
                ["total_requests"] = counters.Requests,
            },
            ["memory"] = new JsonObject
            {
                ["working_set_bytes"] = process.WorkingSet64,
                ["gc_heap_bytes"] = GC.GetTotalMemory(forceFullCollection: false),
            },
            ["configuration_version"] = snapshot.Version,
            ["configuration_hash"] = snapshot.Digest,
            ["configuration_applied_at_ms"] = sync.AppliedAtUnixMs,
            ["routes"] = snapshot.Matcher.RouteCount,
            ["edge_id"] = identity.EdgeId,
            ["region"] = identity.Region,
        });
    }

    public Task ReadyAsync(HttpContext context) => store.Current.Version >= 0
        ? AdminJson.MessageAsync(context, StatusCodes.Status200OK, "ready")
        : AdminJson.MessageAsync(context, StatusCodes.Status503ServiceUnavailable, "no configuration loaded yet");

    /// <summary>Kong hybrid mode's data plane list: every edge, the config version it applied, and when it was last seen.</summary>
    public async Task DataPlanesAsync(HttpContext context)
    {
        var edges = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).GetEdges();
        var data = new JsonArray([.. edges.Select(e => (JsonNode)new JsonObject
        {
            ["id"] = e.EdgeId,
            ["hostname"] = e.Hostname,
            ["region"] = e.Region,
            ["config_version"] = e.AppliedVersion,
            ["last_seen"] = e.LastSeenMs / 1000,
        })]);
        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["data"] = data, ["next"] = null });
    }
}
