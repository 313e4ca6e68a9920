using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// <c>GET /upstreams/{upstream}/health</c>: each target's health as this edge sees it (Kong's <c>health</c>:
/// HEALTHY, UNHEALTHY or HEALTHCHECKS_OFF), and as every edge of the cluster last reported it.
/// </summary>
internal sealed class UpstreamHealthEndpoints(RouteTableClient table, IGrainFactory grains, TargetHealthRegistry registry, EdgeIdentity identity)
{
    public async Task HealthAsync(HttpContext context)
    {
        var key = context.Request.RouteValues["upstream"]?.ToString() ?? "";
        if (await table.Find(EntityKind.Upstream, key) is not UpstreamEntity upstream)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var targets = (await table.List(new EntityQuery { Kind = EntityKind.Target, UpstreamId = upstream.Id, Size = 1000 })).Items.OfType<TargetEntity>();
        var edges = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).GetEdges();
        var local = registry.All.Where(t => t.UpstreamId == upstream.Id).ToDictionary(t => t.Target, t => t.IsHealthy);
        var data = new JsonArray();
        foreach (var target in targets.OrderBy(t => t.Target, StringComparer.Ordinal))
        {
            var byEdge = new JsonObject();
            foreach (var edge in edges.OrderBy(e => e.EdgeId, StringComparer.Ordinal))
            {
                var seen = edge.TargetHealth.FirstOrDefault(h => h.UpstreamId == upstream.Id && h.Target == target.Target);
                byEdge[edge.EdgeId] = seen is null ? "HEALTHCHECKS_OFF" : Health(seen.Healthy);
            }

            data.Add(new JsonObject
            {
                ["id"] = target.Id.ToString(),
                ["target"] = target.Target,
                ["weight"] = target.Weight,
                ["upstream"] = new JsonObject { ["id"] = upstream.Id.ToString() },
                ["health"] = local.TryGetValue(target.Target, out var healthy) ? Health(healthy) : "HEALTHCHECKS_OFF",
                ["edges"] = byEdge,
            });
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["node_id"] = identity.EdgeId, ["data"] = data, ["next"] = null });
    }

    private static string Health(bool healthy) => healthy ? "HEALTHY" : "UNHEALTHY";
}
