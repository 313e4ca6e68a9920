using Microsoft.Extensions.Options;
using Prometheus;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Metering;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Status;
using Turnpike.Edge.Upstreams;

namespace Turnpike.Edge.Observability;

/// <summary>
/// The node's own metrics, read at each scrape from the counters the edge keeps anyway (nothing extra on the proxy
/// path): Kong's node-level metrics (connections, datastore, node info, config hash, upstream target health) and
/// Turnpike's (<c>turnpike_*</c>: config sync, rate-limit leasing, metering, admin writes). docs/operations.md says
/// what each means and when to worry.
/// </summary>
internal sealed class NodeMetrics
{
    private readonly Counter _connections;
    private readonly Gauge _connectionsActive;
    private readonly Counter _requests;
    private readonly Gauge _datastoreReachable;
    private readonly Gauge _nodeInfo;
    private readonly Gauge _configHash;
    private readonly Gauge _targetHealth;
    private readonly Counter _requestsTotal;
    private readonly Gauge _configVersion;
    private readonly Gauge _configSyncAge;
    private readonly Gauge _clusterReachable;
    private readonly Counter _accepted;
    private readonly Counter _refused;
    private readonly Gauge _active;
    private readonly Counter _rlAdmitted;
    private readonly Counter _rlRejected;
    private readonly Counter _rlGrainCalls;
    private readonly Counter _rlGrainFailures;
    private readonly Counter _rlFallbacks;
    private readonly Gauge _rlLeases;
    private readonly Counter _gcAllocated;
    private readonly Gauge _meterPending;
    private readonly Counter _meterAcknowledged;
    private readonly Counter _adminAuthFailures;
    private readonly Counter _adminAuthForbidden;
    private readonly Gauge _series;
    private readonly Counter _syncApplied;
    private readonly Counter _syncFullSnapshots;
    private readonly Counter _syncPushed;
    private readonly Counter _syncFailures;
    private readonly Counter _syncResyncs;
    private readonly Gauge _syncBackoff;
    private HashSet<(string, string, string)> _reportedTargets = [];

    public NodeMetrics(
        GatewayMetrics metrics,
        RouteTableStore store,
        RouteTableSyncMetrics sync,
        EdgeCounters counters,
        RateLimitMetrics rateLimits,
        ClusterQuota quota,
        AdminAuthMetrics adminAuth,
        MeterFlusher meters,
        UpstreamBalancers balancers,
        EdgeIdentity identity,
        IOptions<EdgeOptions> options,
        TimeProvider time)
    {
        var f = metrics.Factory;

        // Kong's nginx_connections_total / nginx_requests_total, for Kestrel's proxy listener: named for what they count.
        _connections = f.CreateCounter("kong_kestrel_connections_total", "Proxy connections by state: accepted, handled, refused (Kong's kong_nginx_connections_total for Kestrel)", ["node_id", "subsystem", "state"]);
        _connectionsActive = f.CreateGauge("kong_kestrel_connections_active", "Proxy connections open now (Kong's kong_nginx_connections_total{state=\"active\"} for Kestrel)", ["node_id", "subsystem"]);
        _requests = f.CreateCounter("kong_kestrel_requests_total", "Requests the proxy listener received (Kong's kong_nginx_requests_total for Kestrel)", ["node_id", "subsystem"]);
        _datastoreReachable = f.CreateGauge("kong_datastore_reachable", "Datastore reachable from Kong, 0 is unreachable (Turnpike: the cluster's route table grain answered within three polls)");
        _nodeInfo = f.CreateGauge("kong_node_info", "Kong Node metadata information", ["node_id", "version"]);
        _configHash = f.CreateGauge("kong_data_plane_config_hash", "Config hash numeric value of the data plane (Turnpike: the route table version this edge serves)", ["node_id", "hostname"]);
        _targetHealth = f.CreateGauge("kong_upstream_target_health", "Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.", ["upstream", "target", "address", "state", "subsystem"]);

        _requestsTotal = f.CreateCounter("turnpike_requests_total", "Requests the proxy listener received");
        _accepted = f.CreateCounter("turnpike_connections_accepted_total", "Proxy connections accepted");
        _refused = f.CreateCounter("turnpike_connections_refused_total", "Proxy connections closed at once: the listener had MaxConcurrentConnections open");
        _active = f.CreateGauge("turnpike_connections_active", "Proxy connections open now");
        _configVersion = f.CreateGauge("turnpike_config_version", "The route table version this edge serves");
        _configSyncAge = f.CreateGauge("turnpike_config_sync_age_seconds", "Seconds since this edge last heard from the cluster's route table (-1: never)");
        _clusterReachable = f.CreateGauge("turnpike_cluster_reachable", "1 while the edge heard from the cluster within three poll intervals");
        _rlAdmitted = f.CreateCounter("turnpike_ratelimit_admitted_total", "Requests rate limiting admitted");
        _rlRejected = f.CreateCounter("turnpike_ratelimit_rejected_total", "Requests rate limiting rejected (429)");
        _rlGrainCalls = f.CreateCounter("turnpike_ratelimit_grain_calls_total", "Counter grain calls (lease grants and returns)");
        _rlGrainFailures = f.CreateCounter("turnpike_ratelimit_grain_failures_total", "Counter grain calls that failed");
        _rlFallbacks = f.CreateCounter("turnpike_ratelimit_local_fallback_total", "Requests decided by the edge's own counters: the cluster was unreachable (fault_tolerant)");
        _rlLeases = f.CreateGauge("turnpike_ratelimit_leases", "Rate-limit leases this edge holds now (one per limited key and window set)");
        _gcAllocated = f.CreateCounter("turnpike_gc_allocated_bytes_total", "Bytes the process allocated since it started");
        _meterPending = f.CreateGauge("turnpike_meter_batches_pending", "Meter batches sealed but not yet acknowledged by the cluster");
        _meterAcknowledged = f.CreateCounter("turnpike_meter_batches_acknowledged_total", "Meter batches the cluster acknowledged");
        _adminAuthFailures = f.CreateCounter("turnpike_admin_auth_failures_total", "Admin requests refused with 401");
        _adminAuthForbidden = f.CreateCounter("turnpike_admin_auth_forbidden_total", "Admin requests refused with 403");
        _series = f.CreateGauge("turnpike_metrics_series", "Label sets the prometheus plugin holds (capped by Turnpike:Metrics:MaxSeries)");
        _syncApplied = f.CreateCounter("turnpike_route_table_applied_total", "Route table versions (deltas or whole tables) this edge applied");
        _syncFullSnapshots = f.CreateCounter("turnpike_route_table_full_snapshots_total", "Whole tables this edge pulled (start, a lineage change, or behind the change log)");
        _syncPushed = f.CreateCounter("turnpike_route_table_pushed_total", "Route table versions this edge applied from the change sent with the notice, without asking the route table");
        _syncFailures = f.CreateCounter("turnpike_route_table_sync_failures_total", "Route table pulls or subscriptions that failed (retried with back-off)");
        _syncResyncs = f.CreateCounter("turnpike_route_table_resyncs_total", "Times contact with the route table came back after it was lost (one resync each)");
        _syncBackoff = f.CreateGauge("turnpike_route_table_sync_backoff_milliseconds", "The back-off before the next route table sync attempt (0: in contact)");

        var version = Admin.NodeInfoEndpoint.TurnpikeVersion;
        _nodeInfo.WithLabels(identity.EdgeId, version).Set(1);
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var snapshot = store.Current;
            var reachable = store.LastContact is { } last && time.GetUtcNow() - last < options.Value.Sync.PollInterval * 3;
            _connections.WithLabels(identity.EdgeId, "http", "accepted").IncTo(counters.Accepted);
            _connections.WithLabels(identity.EdgeId, "http", "handled").IncTo(counters.Accepted);
            _connections.WithLabels(identity.EdgeId, "http", "refused").IncTo(counters.Refused);
            _connectionsActive.WithLabels(identity.EdgeId, "http").Set(counters.Active);
            _requests.WithLabels(identity.EdgeId, "http").IncTo(counters.Requests);
            _datastoreReachable.Set(reachable ? 1 : 0);
            _configHash.WithLabels(identity.EdgeId, identity.Hostname).Set(snapshot.Version);
            _requestsTotal.IncTo(counters.Requests);
            _accepted.IncTo(counters.Accepted);
            _refused.IncTo(counters.Refused);
            _active.Set(counters.Active);
            _configVersion.Set(snapshot.Version);
            _configSyncAge.Set(store.LastContact is { } contact ? (time.GetUtcNow() - contact).TotalSeconds : -1);
            _clusterReachable.Set(reachable ? 1 : 0);
            _rlAdmitted.IncTo(rateLimits.Admitted);
            _rlRejected.IncTo(rateLimits.Rejected);
            _rlGrainCalls.IncTo(rateLimits.GrainCalls);
            _rlGrainFailures.IncTo(rateLimits.GrainFailures);
            _rlFallbacks.IncTo(rateLimits.LocalFallbacks);
            _rlLeases.Set(quota.LeaseCount);
            _gcAllocated.IncTo(GC.GetTotalAllocatedBytes());
            _meterPending.Set(meters.PendingBatches);
            _meterAcknowledged.IncTo(meters.AcknowledgedBatches);
            _adminAuthFailures.IncTo(adminAuth.Failures);
            _adminAuthForbidden.IncTo(adminAuth.Forbidden);
            _series.Set(metrics.SeriesCount);
            _syncApplied.IncTo(sync.Applied);
            _syncFullSnapshots.IncTo(sync.FullSnapshots);
            _syncPushed.IncTo(sync.Pushed);
            _syncFailures.IncTo(sync.Failures);
            _syncResyncs.IncTo(sync.Resyncs);
            _syncBackoff.Set(sync.Backoff.TotalMilliseconds);
            ReportTargets(metrics, balancers, snapshot);
        });
    }

    /// <summary>
    /// Kong exports target health only with a prometheus plugin's <c>upstream_health_metrics</c> on; series of
    /// targets gone since the last scrape are removed, as Kong resets the family each scrape.
    /// </summary>
    private void ReportTargets(GatewayMetrics metrics, UpstreamBalancers balancers, RouteTableSnapshot snapshot)
    {
        var reported = new HashSet<(string, string, string)>();
        if (metrics.UpstreamHealthMetrics && snapshot.PluginNames.Contains("prometheus"))
        {
            foreach (var balancer in balancers.Current)
            {
                foreach (var (target, address, state) in balancer.TargetStates())
                {
                    reported.Add((balancer.Upstream.Name, target, address));
                    foreach (var s in TargetStates)
                    {
                        _targetHealth.WithLabels(balancer.Upstream.Name, target, address, s, "http").Set(s == state ? 1 : 0);
                    }
                }
            }
        }

        foreach (var (upstream, target, address) in _reportedTargets)
        {
            if (!reported.Contains((upstream, target, address)))
            {
                foreach (var s in TargetStates)
                {
                    _targetHealth.RemoveLabelled(upstream, target, address, s, "http");
                }
            }
        }

        _reportedTargets = reported;
    }

    private static readonly string[] TargetStates = ["healthchecks_off", "healthy", "unhealthy", "dns_error"];
}
