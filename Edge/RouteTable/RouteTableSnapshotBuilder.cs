using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.RouteTable;

/// <summary>Compiles entities into a <see cref="RouteTableSnapshot"/>: services to destinations, routes to a matcher, plugins to chains.</summary>
internal sealed partial class RouteTableSnapshotBuilder(UpstreamClients clients, PluginRegistry plugins, ILogger<RouteTableSnapshotBuilder> logger)
{
    private readonly RegexCache _regexes = new();

    public RouteTableSnapshot Build(
        long version,
        IReadOnlyDictionary<Guid, ServiceEntity> services,
        IReadOnlyDictionary<Guid, RouteEntity> routes,
        IReadOnlyDictionary<Guid, PluginEntity> pluginInstances)
    {
        var compiledServices = services.Values
            .Where(s => s.Enabled)
            .ToDictionary(s => s.Id, s => new CompiledService(s, clients.Get(s.ConnectTimeout)));
        var handlers = CreateHandlers(pluginInstances.Values);
        var compiledRoutes = new List<CompiledRoute>(routes.Count);
        foreach (var route in routes.Values)
        {
            CompiledService? service = null;
            if (route.ServiceId is { } serviceId && !compiledServices.TryGetValue(serviceId, out service))
            {
                continue; // A disabled service takes its routes out of the proxy, as in Kong.
            }

            compiledRoutes.Add(new CompiledRoute(route, service, ChainFor(route, handlers)));
        }

        return new RouteTableSnapshot(version, new RouteMatcher(compiledRoutes, _regexes), services, routes, pluginInstances);
    }

    private List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> CreateHandlers(IEnumerable<PluginEntity> instances)
    {
        var handlers = new List<(PluginEntity, IGatewayPlugin, IPluginHandler)>();
        foreach (var instance in instances.Where(p => p.Enabled && p.ConsumerId is null))
        {
            if (plugins.Find(instance.Name) is not { } plugin)
            {
                LogUnknownPlugin(logger, instance.Name, instance.Id);
                continue;
            }

            handlers.Add((instance, plugin, plugin.CreateHandler(JsonNode.Parse(instance.Config)!.AsObject())));
        }

        return handlers;
    }

    /// <summary>Kong's precedence: per plugin name the most specific instance wins (route+service, route, service, global).</summary>
    private static PluginChain ChainFor(RouteEntity route, List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> handlers)
    {
        if (handlers.Count == 0)
        {
            return PluginChain.Empty;
        }

        var chosen = new Dictionary<string, (int Specificity, IGatewayPlugin Plugin, IPluginHandler Handler)>(StringComparer.Ordinal);
        foreach (var (instance, plugin, handler) in handlers)
        {
            var specificity = (instance.RouteId, instance.ServiceId) switch
            {
                (null, null) => 0,
                (null, { } s) when s == route.ServiceId => 1,
                ({ } r, null) when r == route.Id => 2,
                ({ } r, { } s) when r == route.Id && s == route.ServiceId => 3,
                _ => -1,
            };
            if (specificity >= 0 && (!chosen.TryGetValue(instance.Name, out var current) || current.Specificity < specificity))
            {
                chosen[instance.Name] = (specificity, plugin, handler);
            }
        }

        return chosen.Count == 0
            ? PluginChain.Empty
            : new PluginChain([.. chosen.Values.OrderByDescending(c => c.Plugin.Priority).Select(c => c.Handler)]);
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Plugin {Name} (instance {Id}) is not available on this edge and is skipped")]
    private static partial void LogUnknownPlugin(ILogger logger, string name, Guid id);
}
