using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin;
using Turnpike.ProxyCache;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Kong's proxy-cache admin endpoints. A purge (<c>DELETE</c>) empties this edge at once and reaches every other edge
/// through the cluster's purge log; a read (<c>GET</c>) and the 204/404 of a single-key purge report this edge's memory,
/// each edge keeping its own.
/// </summary>
internal sealed class ProxyCacheEndpoints(ProxyCacheStore store, ProxyCachePurges purges, EntityEndpoints entities, TimeProvider time)
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var handlers = endpoints.ServiceProvider.GetRequiredService<ProxyCacheEndpoints>();
        endpoints.MapDelete("/proxy-cache", handlers.PurgeAllAsync);
        endpoints.MapMethods("/proxy-cache/{cache_key}", ["GET", "DELETE"], context => handlers.EntryAsync(context, null));
        endpoints.MapMethods("/proxy-cache/{plugin_id}/caches/{cache_key}", ["GET", "DELETE"], handlers.PluginEntryAsync);
    }

    private async Task PurgeAllAsync(HttpContext context)
    {
        await purges.PurgeEverywhereAsync(new ProxyCachePurge(null, null));
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task PluginEntryAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["plugin_id"]!;
        if (!Guid.TryParse(id, out var pluginId)
            || await entities.FindAsync(context, EntityKind.Plugin, id, null) is not PluginEntity { Name: "proxy-cache" })
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        await EntryAsync(context, pluginId);
    }

    private async Task EntryAsync(HttpContext context, Guid? pluginId)
    {
        var key = (string)context.Request.RouteValues["cache_key"]!;
        if (HttpMethods.IsDelete(context.Request.Method))
        {
            var here = store.Remove(key, pluginId);
            await purges.PurgeEverywhereAsync(new ProxyCachePurge(key, pluginId));
            if (here)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                await AdminJson.NotFoundAsync(context);
            }

            return;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (store.Get(key, now) is not { } entry || (pluginId is { } id && entry.PluginId != id))
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var headers = new JsonObject();
        foreach (var (name, values) in entry.Headers)
        {
            headers[name] = values.Length == 1 ? values[0] : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["key"] = entry.Key,
            ["plugin_id"] = entry.PluginId.ToString(),
            ["status"] = entry.Status,
            ["headers"] = headers,
            ["body_len"] = entry.Body.Length,
            ["timestamp"] = entry.StoredAt,
            ["ttl"] = entry.Ttl,
            ["storage_ttl"] = entry.StorageTtl,
            ["age"] = entry.Age(now),
            ["version"] = 1,
        });
    }
}
