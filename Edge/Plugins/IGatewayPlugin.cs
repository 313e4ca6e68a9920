using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins;

/// <summary>
/// A kind of plugin (Kong's plugin "handler + schema"): reads and validates its configuration, and makes the
/// per-instance handler the proxy runs. Implement it through <see cref="GatewayPlugin{TOptions}"/>, which derives all
/// of this from one declaration. Higher <see cref="Priority"/> runs first, as in Kong.
/// </summary>
internal interface IGatewayPlugin
{
    string Name { get; }

    int Priority { get; }

    string Version { get; }

    /// <summary>Reads the <c>config</c> object (empty when none was given) and returns it with every default filled in.</summary>
    JsonObject ReadConfig(FieldReader config);

    /// <summary>The handler of one instance; <paramref name="instanceId"/> names it where state outlives a configuration version (counters).</summary>
    IPluginHandler CreateHandler(JsonObject config, Guid instanceId);

    /// <summary>Kong's <c>record</c> description of the <c>config</c> field (what <c>GET /schemas/plugins/{name}</c> shows).</summary>
    JsonObject DescribeConfig();
}
