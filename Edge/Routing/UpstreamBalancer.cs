namespace Turnpike.Edge.Routing;

/// <summary>
/// Weighted round-robin over an upstream's targets (smooth, as nginx does it: each pick goes to the target
/// furthest behind its share, so a 3:1 weighting sends exactly 3 of every 4 requests and never 3 in a row
/// to one side needlessly). Targets of weight 0 take no traffic. Built per table version; thread-safe.
/// </summary>
internal sealed class UpstreamBalancer
{
    private readonly Lock _lock = new();
    private readonly int[] _weights;
    private readonly long[] _current;

    public UpstreamBalancer(UpstreamEntity upstream, IEnumerable<TargetEntity> targets)
    {
        Upstream = upstream;
        Targets = [.. targets.Where(t => t.Weight > 0).OrderBy(t => t.Id)];
        _weights = [.. Targets.Select(t => t.Weight)];
        _current = new long[Targets.Length];
    }

    public UpstreamEntity Upstream { get; }

    /// <summary>The targets that take traffic, in a fixed order (the index <see cref="Next"/> returns).</summary>
    public TargetEntity[] Targets { get; }

    /// <summary>The index of the target for the next request; -1 when no target takes traffic.</summary>
    public int Next()
    {
        if (_weights.Length <= 1)
        {
            return _weights.Length - 1;
        }

        lock (_lock)
        {
            var best = 0;
            long total = 0;
            for (var i = 0; i < _weights.Length; i++)
            {
                _current[i] += _weights[i];
                total += _weights[i];
                if (_current[i] > _current[best])
                {
                    best = i;
                }
            }

            _current[best] -= total;
            return best;
        }
    }

    /// <summary>True when <paramref name="upstream"/> and <paramref name="targets"/> are the very records this balancer was built from.</summary>
    public bool IsFor(UpstreamEntity upstream, IEnumerable<TargetEntity> targets) =>
        ReferenceEquals(Upstream, upstream) && Targets.SequenceEqual(targets.Where(t => t.Weight > 0).OrderBy(t => t.Id), ReferenceEqualityComparer.Instance);
}
