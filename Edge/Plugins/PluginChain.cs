namespace Turnpike.Edge.Plugins;

/// <summary>The plugins that apply to one route, one slot per plugin, in execution order (priority, highest first).</summary>
internal sealed class PluginChain(PluginSlot[] slots)
{
    public static readonly PluginChain Empty = new([]);

    public PluginSlot[] Slots { get; } = slots;

    /// <summary>The route's tracing plugin (its instance for every consumer: the trace begins before anyone is authenticated), if any.</summary>
    public IRequestTracer? Tracer { get; } = slots.Select(s => s.Handler as IRequestTracer).FirstOrDefault(t => t is not null);

    public bool IsEmpty => Slots.Length == 0;

    public bool SameAs(PluginChain other) => Slots.Length == other.Slots.Length && Slots.Zip(other.Slots).All(p => p.First.SameAs(p.Second));
}
