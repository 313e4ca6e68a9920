using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin;
using Turnpike.RateLimiting;
using Turnpike.RouteTable;

namespace Turnpike.Edge.Plugins.AiBudget;

/// <summary>
/// <c>GET /billing/budgets/{plugin}/{identity}</c>: where one ai-budget instance's budget stands for a consumer (id or
/// username), credential (id) or service (id or name), as its <c>limit_by</c> says, read from the counter without
/// taking anything. <c>used</c> is what the counter has granted: spent, reserved by calls in flight, and leased to
/// edges for at most a second. The budgets themselves are the instance's configuration (<c>/plugins/{id}</c>).
/// </summary>
internal sealed class AiBudgetEndpoints(RouteTableClient table, PluginRegistry plugins, IGrainFactory grains)
{
    public async Task GetAsync(HttpContext context)
    {
        var pluginKey = context.Request.RouteValues["plugin"]?.ToString() ?? "";
        var identityKey = context.Request.RouteValues["identity"]?.ToString() ?? "";
        if (await table.Find(EntityKind.Plugin, pluginKey) is not PluginEntity { Name: "ai-budget" } instance
            || plugins.Find("ai-budget") is not AiBudgetPlugin plugin
            || JsonNode.Parse(instance.Config) is not JsonObject config)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var options = plugin.Config.Bind(config);
        var identity = options.LimitBy switch
        {
            "consumer" => await IdOfAsync(EntityKind.Consumer, identityKey),
            "service" => await IdOfAsync(EntityKind.Service, identityKey),
            _ => EntityIds.TryParse(identityKey, out var credential) ? credential : null,
        };
        if (identity is null)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var key = $"{instance.Id:N}/{options.LimitBy}:{identity:N}";
        var grant = await grains.GetGrain<IRateLimitCounterGrain>(key).Acquire(new QuotaRequest { Limits = options.Limits, Wanted = 0 });
        var windows = new JsonArray();
        for (var i = 0; i < options.Limits.Length; i++)
        {
            var (window, limit) = options.Limits[i];
            var remaining = i < grant.Remaining.Length ? grant.Remaining[i] : limit;
            windows.Add(new JsonObject
            {
                ["window"] = window.ToString().ToLowerInvariant(),
                ["limit"] = JsonValue.Create(limit / 1_000_000m),
                ["used"] = JsonValue.Create((limit - remaining) / 1_000_000m),
                ["remaining"] = JsonValue.Create(remaining / 1_000_000m),
                ["reset"] = i < grant.ResetSeconds.Length ? grant.ResetSeconds[i] : 0,
            });
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["plugin"] = new JsonObject { ["id"] = instance.Id.ToString() },
            ["limit_by"] = options.LimitBy,
            ["identity"] = identity.Value.ToString(),
            ["windows"] = windows,
        });
    }

    private async Task<Guid?> IdOfAsync(EntityKind kind, string idOrName) =>
        EntityIds.TryParse(idOrName, out var id) ? id : (await table.Find(kind, idOrName))?.Id;
}
