using Turnpike.RateLimiting;

namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// The permits one counter has leased to this edge, spent here without a remote call. A lease is only spent
/// before its deadline, which the edge measures from when it *sent* the request for it, so it ends no later
/// than the counter's period does on the counter's clock, whatever this machine's clock says.
/// Timestamps are <paramref name="time"/>'s (the system's monotonic clock, a fake one in tests). Thread-safe; all state changes under one short lock.
/// </summary>
internal sealed class QuotaLease(WindowLimit[] limits, TimeProvider time, QuotaScope scope = default)
{
    private readonly Lock _lock = new();
    private long _permits;
    private long _deadline;
    private long[] _periods = [];
    private long[] _counterRemaining = [];
    private long[] _resetAt = [];
    private long _grantedAt;
    private List<(long[] Periods, long Delta)>? _settlements;
    private long _lastGrant;
    private long _spent;
    private long _askAgainAt;
    private bool _unavailable;
    private Task? _refill;

    public WindowLimit[] Limits { get; } = limits;

    /// <summary>The counters this lease comes from.</summary>
    public QuotaScope Scope { get; } = scope;

    public long LastUsed { get; private set; } = time.GetTimestamp();

    /// <summary>Spends <paramref name="cost"/> permits if the lease holds them, and says whether to top it up early.</summary>
    public bool TryTake(long cost, long now, out QuotaDecision decision, out bool topUp)
    {
        lock (_lock)
        {
            LastUsed = now;
            topUp = false;
            if (now >= _deadline || _permits < cost)
            {
                decision = default;
                return false;
            }

            _permits -= cost;
            _spent += cost;
            decision = Decision(QuotaOutcome.Admitted, now);
            topUp = _refill is null && _permits * 4 < _lastGrant;
            return true;
        }
    }

    /// <summary>
    /// Corrects a cost taken in <paramref name="periods"/> by <paramref name="delta"/> once the real cost is known.
    /// While the lease still holds those periods, permits given back join the lease (and go back to the counter
    /// with it) and an overrun is paid from the lease's permits; what is left goes to the counter at the next
    /// sweep (<see cref="TakeSettlement"/>), which applies it to each window whose period has not ended, so an
    /// hour's limit is charged for an overrun even after the minute it was taken in has passed.
    /// </summary>
    public void Settle(long delta, long[] periods)
    {
        lock (_lock)
        {
            if (ReferenceEquals(periods, _periods) && time.GetTimestamp() < _deadline)
            {
                var fromLease = delta < 0 ? delta : Math.Min(_permits, delta);
                _permits -= fromLease;
                _spent += fromLease;
                delta -= fromLease;
            }

            if (delta != 0)
            {
                (_settlements ??= []).Add((periods, delta));
            }
        }
    }

    /// <summary>Pays waiting overruns of the lease's periods from permits it has been granted since (under the lock).</summary>
    private void PayOverruns()
    {
        for (var i = 0; _settlements is not null && i < _settlements.Count && _permits > 0; i++)
        {
            var (periods, delta) = _settlements[i];
            if (delta > 0 && ReferenceEquals(periods, _periods))
            {
                var paid = Math.Min(_permits, delta);
                _permits -= paid;
                _spent += paid;
                _settlements[i] = (periods, delta - paid);
            }
        }

        _settlements?.RemoveAll(s => s.Delta == 0);
    }

    /// <summary>One settlement for the counter (a negative return is a charge), or null when none waits.</summary>
    public QuotaRequest? TakeSettlement()
    {
        lock (_lock)
        {
            if (_settlements is not { Count: > 0 } waiting)
            {
                return null;
            }

            var (periods, delta) = waiting[^1];
            waiting.RemoveAt(waiting.Count - 1);
            return new QuotaRequest { Limits = Limits, Wanted = 0, Returned = -delta, ReturnedPeriods = periods };
        }
    }

    /// <summary>
    /// True while the counter said it had nothing left: the edge rejects without asking again until then; or, for a global
    /// limit whose region is cut off from home with <c>fault_tolerant</c> off, answers as when the counters are unreachable.
    /// </summary>
    public bool IsExhausted(long now, out QuotaDecision decision)
    {
        lock (_lock)
        {
            decision = now >= _askAgainAt ? default : _unavailable ? QuotaDecision.Unavailable : Decision(QuotaOutcome.Rejected, now);
            return now < _askAgainAt;
        }
    }

    /// <summary>The refill in flight, or null when the caller should start one (and it is now registered as started).</summary>
    public Task? JoinOrStartRefill(Task started)
    {
        lock (_lock)
        {
            if (_refill is not null)
            {
                return _refill;
            }

            _refill = started;
            return null;
        }
    }

    /// <summary>True once the lease's time is up (its permits go back at the next sweep).</summary>
    public bool IsExpired(long now)
    {
        lock (_lock)
        {
            return now >= _deadline;
        }
    }

    /// <summary>The refill in flight, if any.</summary>
    public Task? RefillInFlight
    {
        get
        {
            lock (_lock)
            {
                return _refill;
            }
        }
    }

    public void RefillEnded()
    {
        lock (_lock)
        {
            _refill = null;
        }
    }

    /// <summary>What to ask the counter for: unspent permits of an expired lease go back, and the size follows the recent rate.</summary>
    public QuotaRequest NextRequest(long wantedAtLeast, long now, TimeSpan horizon, long maxLease)
    {
        lock (_lock)
        {
            long returned = 0;
            var returnedPeriods = Array.Empty<long>();
            if (now >= _deadline && _permits > 0)
            {
                (returned, returnedPeriods, _permits) = (_permits, _periods, 0);
            }

            var elapsed = time.GetElapsedTime(_grantedAt, now);
            var wanted = _lastGrant == 0 ? 1 : (long)Math.Ceiling(_spent / Math.Max(elapsed.TotalSeconds, 0.001) * horizon.TotalSeconds);
            if (_lastGrant > 0 && _spent >= _lastGrant && elapsed < horizon)
            {
                wanted = Math.Max(wanted, 2 * _lastGrant); // used up faster than planned: grow quickly
            }

            wanted = Math.Max(Math.Clamp(wanted, 1, maxLease), wantedAtLeast - _permits);
            return new QuotaRequest { Limits = Limits, Wanted = wanted, Returned = returned, ReturnedPeriods = returnedPeriods };
        }
    }

    /// <summary>Unspent permits of an expired lease, taken out to go back to the counter; null when there are none.</summary>
    public QuotaRequest? TakeExpiredPermits(long now)
    {
        lock (_lock)
        {
            if (now < _deadline || _permits == 0 || _refill is not null)
            {
                return null;
            }

            var request = new QuotaRequest { Limits = Limits, Wanted = 0, Returned = _permits, ReturnedPeriods = _periods };
            _permits = 0;
            return request;
        }
    }

    public bool IsIdleSince(long cutoff)
    {
        lock (_lock)
        {
            return LastUsed < cutoff && _permits == 0 && _refill is null && _settlements is not { Count: > 0 };
        }
    }

    /// <summary>Takes in a grant; <paramref name="sent"/> is when the request for it left, which bounds the deadline.</summary>
    public void Apply(QuotaGrant grant, long sent)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            var deadline = sent + Ticks(TimeSpan.FromMilliseconds(grant.ValidForMs));
            var samePeriods = now < _deadline && _periods.AsSpan().SequenceEqual(grant.Periods);
            _permits = samePeriods ? _permits + grant.Granted : grant.Granted;
            _periods = samePeriods ? _periods : grant.Periods; // the same array while the periods last: settlements compare by reference
            PayOverruns();
            _deadline = deadline;
            _counterRemaining = grant.Remaining;
            _resetAt = [.. grant.ResetSeconds.Select(s => sent + Ticks(TimeSpan.FromSeconds(s)))];
            _unavailable = grant.Unavailable;
            if (grant.Granted > 0)
            {
                (_lastGrant, _grantedAt, _spent, _askAgainAt) = (grant.Granted, now, 0, 0);
            }
            else
            {
                _askAgainAt = deadline;
            }
        }
    }

    /// <summary>Remaining per limit as a client sees it: what the counter had left plus what this lease still holds.</summary>
    private QuotaDecision Decision(QuotaOutcome outcome, long now)
    {
        var decision = new QuotaDecision(outcome, Limits.Length) { Periods = _periods };
        for (var i = 0; i < Limits.Length && i < _counterRemaining.Length; i++)
        {
            decision.Remaining[i] = Math.Min(Limits[i].Limit, _counterRemaining[i] + _permits);
            decision.ResetSeconds[i] = Math.Max(1, (long)Math.Ceiling(time.GetElapsedTime(now, _resetAt[i]).TotalSeconds));
        }

        return decision;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
