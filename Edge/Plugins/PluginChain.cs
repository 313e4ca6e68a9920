namespace Turnpike.Edge.Plugins;

/// <summary>The plugin handlers that apply to one route, in execution order (priority, highest first).</summary>
internal sealed class PluginChain(IPluginHandler[] handlers)
{
    public static readonly PluginChain Empty = new([]);

    public IPluginHandler[] Handlers { get; } = handlers;

    public bool IsEmpty => Handlers.Length == 0;
}
