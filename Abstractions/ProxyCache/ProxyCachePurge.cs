namespace Turnpike.ProxyCache;

/// <summary>
/// A purge of the edges' proxy-cache memories: everything (no key, no plugin), one key (of one plugin instance, when
/// <see cref="PluginId"/> is given), or all of one plugin instance's entries.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProxyCachePurge([property: Id(0)] string? Key, [property: Id(1)] Guid? PluginId);
