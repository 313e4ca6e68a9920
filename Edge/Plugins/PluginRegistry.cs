namespace Turnpike.Edge.Plugins;

/// <summary>The plugins this edge can run, by name.</summary>
internal sealed class PluginRegistry(IEnumerable<IGatewayPlugin> plugins)
{
    private readonly Dictionary<string, IGatewayPlugin> _plugins = plugins.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IEnumerable<IGatewayPlugin> All => _plugins.Values.OrderByDescending(p => p.Priority);

    public IGatewayPlugin? Find(string name) => _plugins.GetValueOrDefault(name);
}
