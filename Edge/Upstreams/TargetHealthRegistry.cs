using System.Collections.Concurrent;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// The health of every target of every upstream with health checks, on this edge. Outlives table versions
/// (a new snapshot keeps what was learnt), and follows each version's upstreams and targets.
/// </summary>
internal sealed class TargetHealthRegistry
{
    private readonly ConcurrentDictionary<(Guid Upstream, string Target), TargetHealth> _targets = new();

    public IEnumerable<TargetHealth> All => _targets.Values;

    /// <summary>The health of this target, kept from earlier versions when it was checked already.</summary>
    public TargetHealth For(Guid upstreamId, string target, HealthCheckSettings settings)
    {
        var health = _targets.GetOrAdd((upstreamId, target), static (key, s) => new TargetHealth(key.Upstream, key.Target, s), settings);
        health.Settings = settings;
        return health;
    }

    /// <summary>Forgets targets that are no longer in the table (or no longer checked).</summary>
    public void Keep(IReadOnlySet<(Guid Upstream, string Target)> current)
    {
        foreach (var key in _targets.Keys)
        {
            if (!current.Contains(key))
            {
                _targets.TryRemove(key, out _);
            }
        }
    }

    public TargetHealthReport[] Report() => [.. _targets.Values.Select(t => new TargetHealthReport(t.UpstreamId, t.Target, t.IsHealthy))];
}
