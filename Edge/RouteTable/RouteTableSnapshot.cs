using Turnpike.Edge.Routing;

namespace Turnpike.Edge.RouteTable;

/// <summary>An immutable copy of one version of the route table, with the matcher built from it. Swapped whole.</summary>
internal sealed class RouteTableSnapshot(
    long version,
    RouteMatcher matcher,
    IReadOnlyDictionary<Guid, ServiceEntity> services,
    IReadOnlyDictionary<Guid, RouteEntity> routes,
    IReadOnlyDictionary<Guid, PluginEntity> plugins)
{
    public static readonly RouteTableSnapshot Empty = new(
        -1, new RouteMatcher([], new RegexCache()), new Dictionary<Guid, ServiceEntity>(), new Dictionary<Guid, RouteEntity>(), new Dictionary<Guid, PluginEntity>());

    /// <summary>The table version; -1 until the edge has loaded one.</summary>
    public long Version { get; } = version;

    public RouteMatcher Matcher { get; } = matcher;

    public IReadOnlyDictionary<Guid, ServiceEntity> Services { get; } = services;

    public IReadOnlyDictionary<Guid, RouteEntity> Routes { get; } = routes;

    public IReadOnlyDictionary<Guid, PluginEntity> Plugins { get; } = plugins;
}
