using Turnpike.Edge.Upstreams;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Picks an upstream's target. Round-robin is weighted and smooth (as nginx does it: each pick goes to the
/// target furthest behind its share, so a 3:1 weighting sends exactly 3 of every 4 requests). Consistent
/// hashing places each target on a ring at points in proportion to its weight (<c>slots</c>/1,000 per unit) and sends
/// a request to the first point at or after its key's hash: a target added or removed moves only the keys
/// next to its points (about 1/n of them). Requests without a key fall back to round-robin. Targets of
/// weight 0 take no traffic. Built when the upstream or its targets change; thread-safe.
/// </summary>
internal sealed class UpstreamBalancer
{
    /// <summary>Bounds a ring's size; weights stay proportional up to this many points per target.</summary>
    private const int MaxPointsPerTarget = 65_536;

    private readonly Lock _lock = new();
    private readonly int[] _weights;
    private readonly long[] _current;
    private readonly uint[] _ringPoints = [];
    private readonly int[] _ringOwners = [];

    private readonly TargetHealth?[] _health;
    private readonly HealthCheckSettings? _checks;
    private readonly bool _leastConnections;
    private readonly bool _latency;
    private readonly int[] _inFlight;
    private readonly double[] _latencyEwma;

    public UpstreamBalancer(UpstreamEntity upstream, IEnumerable<TargetEntity> targets, TargetHealthRegistry? registry = null)
    {
        Upstream = upstream;
        Targets = [.. targets.Where(t => t.Weight > 0).OrderBy(t => t.Id)];
        _weights = [.. Targets.Select(t => t.Weight)];
        _current = new long[Targets.Length];
        _inFlight = new int[Targets.Length];
        _latencyEwma = new double[Targets.Length];
        _leastConnections = upstream.Algorithm == "least-connections";
        _latency = upstream.Algorithm == "latency";
        _checks = upstream.Healthchecks is { } json && HealthCheckSettings.Parse(json) is { } settings && (settings.ActiveOn || settings.PassiveOn) ? settings : null;
        _health = [.. Targets.Select(t => _checks is null || registry is null ? null : registry.For(upstream.Id, t.Target, _checks))];
        if (upstream.Algorithm == "consistent-hashing" && Targets.Length > 0)
        {
            // Points per unit of weight are fixed by slots alone, never by the other targets: adding or removing
            // a target leaves every other target's points where they were, so keys move only to or from it.
            var perWeight = Math.Max(1, upstream.Slots / 1000);
            var ring = Targets
                .SelectMany((t, i) => Enumerable.Range(0, Math.Clamp(t.Weight * perWeight, 1, MaxPointsPerTarget)).Select(k => (Point: Hash($"{t.Target}#{k}"), Owner: i)))
                .OrderBy(p => p.Point)
                .ToArray();
            _ringPoints = [.. ring.Select(p => p.Point)];
            _ringOwners = [.. ring.Select(p => p.Owner)];
        }
    }

    /// <summary>The targets whose health this balancer follows (empty without health checks).</summary>
    public IEnumerable<TargetHealth> CheckedTargets => _health.OfType<TargetHealth>();

    /// <summary>Counts a proxied attempt's outcome against its target: the request is no longer in flight, its latency, passive health.</summary>
    public void Observe(int index, bool connectFailed, bool timedOut, int status, long latencyMs)
    {
        if (index < 0)
        {
            return;
        }

        if (_leastConnections || _latency)
        {
            Interlocked.Decrement(ref _inFlight[index]);
        }

        if (_latency && !connectFailed)
        {
            lock (_lock)
            {
                // A moving average that forgets in a few dozen requests, so a target that slows down loses traffic quickly.
                _latencyEwma[index] = _latencyEwma[index] == 0 ? latencyMs + 1 : (0.9 * _latencyEwma[index]) + (0.1 * (latencyMs + 1));
            }
        }

        if (_checks is not { PassiveOn: true } checks || _health[index] is not { } health)
        {
            return;
        }

        if (connectFailed)
        {
            health.Failed(HealthFailure.Tcp, active: false);
        }
        else if (timedOut)
        {
            health.Failed(HealthFailure.Timeout, active: false);
        }
        else if (Array.IndexOf(checks.PassiveUnhealthyStatuses, status) >= 0)
        {
            health.Failed(HealthFailure.Http, active: false);
        }
        else if (Array.IndexOf(checks.PassiveHealthyStatuses, status) >= 0)
        {
            health.Succeeded(active: false);
        }
    }

    private bool IsHealthy(int index) => _health[index]?.IsHealthy ?? true;

    /// <summary>True when requests should bring a hash key (consistent hashing).</summary>
    public bool HashesRequests => _ringPoints.Length > 0;

    public UpstreamEntity Upstream { get; }

    /// <summary>The targets that take traffic, in a fixed order (the index <see cref="Next"/> returns).</summary>
    public TargetEntity[] Targets { get; }

    /// <summary>
    /// The index of the target for a request with this hash key; <paramref name="attempt"/> &gt; 0 (a retry) walks on
    /// to the next different target on the ring. -1 when no target takes traffic.
    /// </summary>
    public int Next(string? hashKey, int attempt)
    {
        if (_leastConnections || _latency)
        {
            return LeastLoaded(attempt);
        }

        if (hashKey is null || _ringPoints.Length == 0)
        {
            return NextHealthy();
        }

        // From the key's point on: the first healthy target, or on a retry the next different healthy one.
        var index = Array.BinarySearch(_ringPoints, Hash(hashKey));
        index = index < 0 ? ~index : index;
        var previous = -1;
        for (var step = 0; step < _ringPoints.Length; step++)
        {
            var owner = _ringOwners[(index + step) % _ringPoints.Length];
            if (owner == previous || !IsHealthy(owner))
            {
                continue;
            }

            if (attempt-- == 0)
            {
                return owner;
            }

            previous = owner;
        }

        return previous;
    }

    /// <summary>
    /// least-connections: the healthy target with the fewest requests in flight for its weight; latency: the one
    /// with the lowest recent latency times its requests in flight, for its weight (a target not yet measured
    /// goes first; the averages of targets not picked fade, so none is left out for good). A retry skips the
    /// best <paramref name="attempt"/> targets. The pick counts as in flight.
    /// </summary>
    private int LeastLoaded(int attempt)
    {
        lock (_lock)
        {
            var pick = -1;
            for (var skipped = 0; skipped <= attempt; skipped++)
            {
                var best = -1;
                var bestScore = double.MaxValue;
                for (var i = 0; i < Targets.Length; i++)
                {
                    var score = (_latency ? _latencyEwma[i] : 1) * (_inFlight[i] + 1) / _weights[i];
                    if (IsHealthy(i) && i != pick && score < bestScore)
                    {
                        (best, bestScore) = (i, score);
                    }
                }

                if (best < 0)
                {
                    break;
                }

                pick = best;
            }

            if (pick >= 0)
            {
                _inFlight[pick]++;
            }

            if (_latency)
            {
                // The others' averages fade, so a target that was slow once is tried again now and then.
                for (var i = 0; i < Targets.Length; i++)
                {
                    _latencyEwma[i] *= i == pick ? 1 : 0.99;
                }
            }

            return pick;
        }
    }

    /// <summary>Weighted round-robin over the healthy targets; -1 when none is.</summary>
    private int NextHealthy()
    {
        for (var tries = 0; tries < Targets.Length; tries++)
        {
            var index = Next();
            if (index < 0 || IsHealthy(index))
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>The index of the target for the next request by weighted round-robin; -1 when no target takes traffic.</summary>
    private int Next()
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

    /// <summary>FNV-1a with a final mix: stable across processes, so every edge puts a key on the same target.</summary>
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        return hash ^ (hash >> 16);
    }
}
