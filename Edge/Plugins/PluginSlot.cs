namespace Turnpike.Edge.Plugins;

/// <summary>
/// One plugin on a route: the instance that applies to every request, and the instances that replace it for
/// particular consumers. Which one runs is decided when the plugin's turn comes, so a plugin that runs after
/// an auth plugin sees the consumer it identified, as in Kong.
/// </summary>
internal sealed class PluginSlot(IPluginHandler? handler, IReadOnlyDictionary<Guid, IPluginHandler>? byConsumer, string name = "")
{
    /// <summary>The plugin's name (the trace's <c>kong.access.plugin.{name}</c> spans).</summary>
    public string Name { get; } = name;

    public IPluginHandler? Handler { get; } = handler;

    public IReadOnlyDictionary<Guid, IPluginHandler>? ByConsumer { get; } = byConsumer;

    public IPluginHandler? For(ConsumerEntity? consumer) =>
        consumer is not null && ByConsumer is not null && ByConsumer.TryGetValue(consumer.Id, out var specific) ? specific : Handler;

    public bool SameAs(PluginSlot other) =>
        Handler == other.Handler
        && (ByConsumer?.Count ?? 0) == (other.ByConsumer?.Count ?? 0)
        && (ByConsumer is null || ByConsumer.All(c => other.ByConsumer!.TryGetValue(c.Key, out var h) && h == c.Value));
}
