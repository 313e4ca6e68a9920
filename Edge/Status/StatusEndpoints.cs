using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Metering;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Status;

/// <summary>
/// Health: Kong's <c>GET /status</c> (with the config version this edge serves), <c>/status/ready</c>, Prometheus
/// <c>/metrics</c>, and the cluster's edges (<c>/clustering/data-planes</c>). <c>GET /</c> is <see cref="Admin.NodeInfoEndpoint"/>.
/// </summary>
internal sealed class StatusEndpoints(
    RouteTableStore store,
    RouteTableSyncMetrics sync,
    EdgeCounters counters,
    RateLimitMetrics rateLimits,
    AdminAuthMetrics adminAuth,
    MeterFlusher meters,
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

    public Task MetricsAsync(HttpContext context)
    {
        var text = new StringBuilder()
            .Append("# TYPE turnpike_requests_total counter\nturnpike_requests_total ").Append(counters.Requests).Append('\n')
            .Append("# TYPE turnpike_connections_active gauge\nturnpike_connections_active ").Append(counters.Active).Append('\n')
            .Append("# TYPE turnpike_connections_accepted_total counter\nturnpike_connections_accepted_total ").Append(counters.Accepted).Append('\n')
            .Append("# TYPE turnpike_connections_refused_total counter\nturnpike_connections_refused_total ").Append(counters.Refused).Append('\n')
            .Append("# TYPE turnpike_config_version gauge\nturnpike_config_version ").Append(store.Current.Version).Append('\n')
            .Append("# TYPE turnpike_cluster_reachable gauge\nturnpike_cluster_reachable ").Append(ClusterReachable ? 1 : 0).Append('\n')
            .Append("# TYPE turnpike_route_table_applied_total counter\nturnpike_route_table_applied_total ").Append(sync.Applied).Append('\n')
            .Append("# TYPE turnpike_route_table_full_snapshots_total counter\nturnpike_route_table_full_snapshots_total ").Append(sync.FullSnapshots).Append('\n')
            .Append("# TYPE turnpike_route_table_sync_failures_total counter\nturnpike_route_table_sync_failures_total ").Append(sync.Failures).Append('\n')
            .Append("# TYPE turnpike_route_table_resyncs_total counter\nturnpike_route_table_resyncs_total ").Append(sync.Resyncs).Append('\n')
            .Append("# TYPE turnpike_route_table_sync_backoff_milliseconds gauge\nturnpike_route_table_sync_backoff_milliseconds ").Append((long)sync.Backoff.TotalMilliseconds).Append('\n')
            .Append("# TYPE turnpike_ratelimit_admitted_total counter\nturnpike_ratelimit_admitted_total ").Append(rateLimits.Admitted).Append('\n')
            .Append("# TYPE turnpike_ratelimit_rejected_total counter\nturnpike_ratelimit_rejected_total ").Append(rateLimits.Rejected).Append('\n')
            .Append("# TYPE turnpike_ratelimit_grain_calls_total counter\nturnpike_ratelimit_grain_calls_total ").Append(rateLimits.GrainCalls).Append('\n')
            .Append("# TYPE turnpike_ratelimit_grain_failures_total counter\nturnpike_ratelimit_grain_failures_total ").Append(rateLimits.GrainFailures).Append('\n')
            .Append("# TYPE turnpike_ratelimit_local_fallback_total counter\nturnpike_ratelimit_local_fallback_total ").Append(rateLimits.LocalFallbacks).Append('\n')
            .Append("# TYPE turnpike_gc_allocated_bytes_total counter\nturnpike_gc_allocated_bytes_total ").Append(GC.GetTotalAllocatedBytes()).Append('\n')
            .Append("# TYPE turnpike_meter_batches_pending gauge\nturnpike_meter_batches_pending ").Append(meters.PendingBatches).Append('\n')
            .Append("# TYPE turnpike_meter_batches_acknowledged_total counter\nturnpike_meter_batches_acknowledged_total ").Append(meters.AcknowledgedBatches).Append('\n')
            .Append("# TYPE turnpike_admin_auth_failures_total counter\nturnpike_admin_auth_failures_total ").Append(adminAuth.Failures).Append('\n')
            .Append("# TYPE turnpike_admin_auth_forbidden_total counter\nturnpike_admin_auth_forbidden_total ").Append(adminAuth.Forbidden).Append('\n');
        context.Response.ContentType = "text/plain; version=0.0.4";
        return context.Response.WriteAsync(text.ToString());
    }

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
