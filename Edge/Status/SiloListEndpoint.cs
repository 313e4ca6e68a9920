using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Admin;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Status;

/// <summary>
/// <c>GET /clustering/silos</c>: the silos of the cluster, beside Kong's <c>/clustering/data-planes</c> (Kong has no
/// silos; the list is shaped like its data plane list). Orleans' membership (<see cref="IManagementGrain"/>) says which
/// silos there are and their status, its runtime statistics how loaded the active ones are, and its directory which
/// one holds the route table. Three grain calls per admin request, never on the proxy path.
/// </summary>
internal sealed class SiloListEndpoint(IGrainFactory grains, ILogger<SiloListEndpoint> logger)
{
    /// <summary>A silo that does not answer for its statistics in this long is listed without them rather than holding the page.</summary>
    private static readonly TimeSpan StatisticsTimeout = TimeSpan.FromSeconds(5);

    public async Task ListAsync(HttpContext context)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var statistics = await StatisticsAsync(management, active);
        var routeTable = await management.GetActivationAddress(grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey));

        // Active silos first (then joining, stopping, dead), oldest first: the list reads like the cluster's history.
        var data = new JsonArray([.. hosts
            .OrderBy(h => StatusOrder(h.Status))
            .ThenBy(h => h.StartTime)
            .Select(h =>
            {
                statistics.TryGetValue(h.SiloAddress, out var stats);
                return (JsonNode)new JsonObject
                {
                    ["id"] = h.SiloAddress.ToParsableString(),
                    ["name"] = h.SiloName,
                    ["hostname"] = h.HostName,
                    ["address"] = h.SiloAddress.Endpoint.ToString(),
                    ["gateway_port"] = h.ProxyPort > 0 ? h.ProxyPort : null,
                    ["status"] = StatusName(h.Status),
                    ["started_at"] = Seconds(h.StartTime),
                    ["last_seen"] = Seconds(h.IAmAliveTime),
                    ["activations"] = stats?.ActivationCount,
                    ["clients"] = stats?.ClientCount,
                    ["cpu_usage"] = stats?.EnvironmentStatistics is { } e ? Math.Round(e.FilteredCpuUsagePercentage, 1) : null,
                    ["memory_usage_bytes"] = stats?.EnvironmentStatistics is { } m ? m.FilteredMemoryUsageBytes : null,
                    ["holds_route_table"] = routeTable is not null && routeTable.Equals(h.SiloAddress),
                };
            })]);
        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["data"] = data, ["next"] = null });
    }

    private async Task<Dictionary<SiloAddress, SiloRuntimeStatistics>> StatisticsAsync(IManagementGrain management, SiloAddress[] silos)
    {
        var result = new Dictionary<SiloAddress, SiloRuntimeStatistics>();
        if (silos.Length == 0)
        {
            return result;
        }

        try
        {
            var statistics = await management.GetRuntimeStatistics(silos).WaitAsync(StatisticsTimeout);
            for (var i = 0; i < silos.Length && i < statistics.Length; i++)
            {
                result[silos[i]] = statistics[i];
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or SiloUnavailableException)
        {
            // One silo that stopped answering fails the whole fan-out: the list still shows membership, without load.
            StatusLog.SiloStatisticsUnavailable(logger, ex.Message);
        }

        return result;
    }

    private static int StatusOrder(SiloStatus status) => status switch
    {
        SiloStatus.Active => 0,
        SiloStatus.Joining or SiloStatus.Created => 1,
        SiloStatus.ShuttingDown or SiloStatus.Stopping => 2,
        _ => 3,
    };

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.Joining => "joining",
        SiloStatus.Created => "created",
        SiloStatus.ShuttingDown => "shutting_down",
        SiloStatus.Stopping => "stopping",
        SiloStatus.Dead => "dead",
        _ => "unknown",
    };

    private static long? Seconds(DateTime time) => time == default ? null : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds();
}
