using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins;

/// <summary>
/// A plugin whose configuration is declared once, as a <see cref="ConfigSchema{TOptions}"/>: reading, storing,
/// describing and binding all come from that declaration, and the handler receives typed options.
/// </summary>
internal abstract class GatewayPlugin<TOptions> : IGatewayPlugin
{
    public abstract string Name { get; }

    public abstract int Priority { get; }

    public virtual string Version => "1.0.0";

    /// <summary>The declaration; a static field of the plugin, so it is built once per process.</summary>
    public abstract ConfigSchema<TOptions> Config { get; }

    public JsonObject ReadConfig(FieldReader config) => Config.Read(config);

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => CreateHandler(Config.Bind(config), instanceId);

    public JsonObject DescribeConfig() => Config.Describe();

    /// <summary>The handler of one instance, from its typed options.</summary>
    protected abstract IPluginHandler CreateHandler(TOptions options, Guid instanceId);
}
