using System.Collections.Concurrent;
using Turnpike.Edge.Hosting;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// Counters kept on this edge alone: Kong's <c>local</c> policy (each edge admits up to the limit), and what
/// <c>fault_tolerant</c> falls back on while the cluster's counters cannot be reached.
/// </summary>
internal sealed class LocalQuota(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>This counter's clock, in unix seconds (what a later <see cref="Settle"/> is placed by).</summary>
    public long Now => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Notified when a counter is used: the sweeper sleeps on it while there are none.</summary>
    public WorkSignal Used { get; } = new();

    public bool IsEmpty => _counters.IsEmpty;

    public QuotaDecision TryAcquire(string key, WindowLimit[] limits, long cost)
    {
        var decision = _counters.GetOrAdd(key, static _ => new Counter()).TryAcquire(limits, cost, Now);
        Used.Notify();
        return decision;
    }

    /// <summary>Corrects a cost taken at <paramref name="takenAt"/> (unix seconds) in the windows whose period has not changed since.</summary>
    public void Settle(string key, WindowLimit[] limits, long delta, long takenAt)
    {
        if (_counters.TryGetValue(key, out var counter))
        {
            counter.Settle(limits, delta, takenAt);
        }
    }

    /// <summary>Drops counters whose every period has ended.</summary>
    public void Sweep()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (key, counter) in _counters)
        {
            if (counter.EndsBefore(now))
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private sealed class Counter
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<RateLimitWindow, (long Period, long Count)> _windows = [];
        private long _end;

        public bool EndsBefore(long now)
        {
            lock (_lock)
            {
                return _end <= now;
            }
        }

        public void Settle(WindowLimit[] limits, long delta, long takenAt)
        {
            lock (_lock)
            {
                foreach (var (window, _) in limits)
                {
                    if (_windows.TryGetValue(window, out var known) && known.Period == RateLimitPeriods.Start(window, takenAt))
                    {
                        _windows[window] = (known.Period, Math.Max(0, known.Count + delta));
                    }
                }
            }
        }

        public QuotaDecision TryAcquire(WindowLimit[] limits, long cost, long now)
        {
            var reset = new WindowValues();
            lock (_lock)
            {
                var admit = true;
                for (var i = 0; i < limits.Length; i++)
                {
                    var (window, limit) = limits[i];
                    var period = RateLimitPeriods.Start(window, now);
                    var count = _windows.TryGetValue(window, out var known) && known.Period == period ? known.Count : 0;
                    _windows[window] = (period, count);
                    admit &= count + cost <= limit;
                    var end = RateLimitPeriods.End(window, now);
                    reset[i] = end - now;
                    _end = Math.Max(_end, end);
                }

                var decision = new QuotaDecision(admit ? QuotaOutcome.Admitted : QuotaOutcome.Rejected, limits.Length) { ResetSeconds = reset };
                for (var i = 0; i < limits.Length; i++)
                {
                    var (window, limit) = limits[i];
                    var (period, count) = _windows[window];
                    if (admit)
                    {
                        count += cost;
                        _windows[window] = (period, count);
                    }

                    decision.Remaining[i] = Math.Max(0, limit - count);
                }

                return decision;
            }
        }
    }
}
