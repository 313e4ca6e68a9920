namespace Turnpike.Edge.Admin.Schemas;

/// <summary>The schema of each entity kind.</summary>
internal sealed class EntitySchemas(ServiceSchema services, RouteSchema routes, PluginSchema plugins)
{
    public IEntitySchema For(EntityKind kind) => kind switch
    {
        EntityKind.Service => services,
        EntityKind.Route => routes,
        EntityKind.Plugin => plugins,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
