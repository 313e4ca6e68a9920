namespace Turnpike.RateLimiting;

/// <summary>
/// What a region's <c>policy: global</c> counter holds from the home region's global counter, and how it hands it to
/// its edges: the accounting, with no I/O (the grain makes the calls). Timestamps are <paramref name="time"/>'s monotonic
/// ones: a lease from home may be spent until its <see cref="QuotaGrant.ValidForMs"/> after this region *sent* the request
/// for it, which ends no later than the home's period does on the home's clock whatever this region's clock says; edges'
/// leases are cut to what is left of it. The periods are the home's, carried as they came. Not thread-safe: one grain
/// activation uses it.
/// </summary>
internal sealed class RegionalQuotaPool(WindowLimit[] limits, RateLimitCounterOptions options, int regions, TimeProvider time)
{
    private const double MinRateInterval = 0.25;

    private readonly List<QuotaReturn> _returns = [];
    private readonly Dictionary<RateLimitWindow, WindowCount> _fallback = [];
    private long _permits;
    private long[] _periods = [];
    private long _deadline;
    private long[] _homeRemaining = [];
    private long[] _resetAt = [];
    private long _lastGrant;
    private long _grantedAt;
    private long _handedOut;
    private long _askHomeAt;
    private long _sequence;

    public WindowLimit[] Limits { get; } = limits;

    /// <summary>Names this pool's requests to the home: a new activation is a new lessee.</summary>
    public Guid Lessee { get; } = Guid.NewGuid();

    /// <summary>True after a call to the home failed, until one succeeds: the region is cut off.</summary>
    public bool CutOff { get; private set; }

    /// <summary>Permits held (not yet leased to an edge).</summary>
    public long Permits => _permits;

    /// <summary>Permits that were still held here, or handed back by an edge, after the period they were granted in ended: the under-admission.</summary>
    public long Stranded { get; private set; }

    /// <summary>True when the pool has fallen under a quarter of the last grant: time to top it up in the background.</summary>
    public bool LowOnPermits => _permits * 4 < _lastGrant;

    /// <summary>Whether asking the home again is allowed now (after it said none left, or failed, it is asked at most once per retry interval).</summary>
    public bool MayAskHome(long now) => now >= _askHomeAt;

    /// <summary>Unspent permits of an expired lease wait here, or handed-back ones: the home should hear of them even if no edge asks.</summary>
    public bool HasReturns(long now) => _returns.Count > 0 || (_permits != 0 && now >= _deadline);

    /// <summary>
    /// Takes back what an edge hands back (or, negative, a charge for a cost settled beyond its lease): into the pool while
    /// its periods are the pool's, to the home otherwise; permits of a fallback lease go back to the fallback count.
    /// </summary>
    public void TakeBack(long returned, long[] periods)
    {
        if (returned == 0 || periods.Length != Limits.Length)
        {
            return;
        }

        if (FallbackPeriods.Is(periods))
        {
            for (var i = 0; i < Limits.Length; i++)
            {
                var window = Limits[i].Window;
                if (_fallback.TryGetValue(window, out var count) && count.Period == FallbackPeriods.Decode(periods[i]))
                {
                    _fallback[window] = count with { Granted = Math.Max(0, count.Granted - returned) };
                }
            }

            return;
        }

        var now = time.GetTimestamp();
        if (now < _deadline && periods.AsSpan().SequenceEqual(_periods))
        {
            _permits += returned;
            if (_permits < 0)
            {
                AddReturn(_permits, _periods);
                _permits = 0;
            }

            return;
        }

        if (returned > 0 && IsPast(periods, now))
        {
            Stranded += returned; // the period is over at home: they will not be credited
        }

        AddReturn(returned, periods);
    }

    /// <summary>Leases up to <paramref name="wanted"/> permits to an edge from what the pool holds; false when it holds none (or its lease expired).</summary>
    public bool TryGrant(long wanted, long now, out QuotaGrant grant)
    {
        if (now >= _deadline || _permits <= 0)
        {
            grant = null!;
            return false;
        }

        var granted = Math.Min(Math.Max(1, wanted), _permits);
        _permits -= granted;
        _handedOut += granted;
        grant = Answer(granted, now, Math.Min(Milliseconds(_deadline - now), (long)options.MaxLeaseDuration.TotalMilliseconds));
        return true;
    }

    /// <summary>True while the home said it had nothing left: edges are told so until the pool may ask again.</summary>
    public bool IsExhausted(long now, out QuotaGrant grant)
    {
        if (CutOff || now >= _askHomeAt)
        {
            grant = null!;
            return false;
        }

        grant = Answer(0, now, Math.Max(1, Milliseconds(_askHomeAt - now)));
        return true;
    }

    /// <summary>What the pool stands at, for a request that only handed permits back.</summary>
    public QuotaGrant Peek(long now) => Answer(0, now, 0);

    /// <summary>An answer with nothing in it, spendable for <paramref name="validForMs"/> (a request that lost the permits a refill brought to others).</summary>
    public QuotaGrant Nothing(long now, long validForMs) => Answer(0, now, validForMs);

    /// <summary>
    /// The next request to the home: unspent permits of an expired lease and what edges handed back go with it, and it asks
    /// for about <see cref="RateLimitCounterOptions.RegionLeaseHorizon"/> of the rate the region's edges took since the
    /// last grant (doubling when that ran out early), no more than the region can spend before the home's period ends, and
    /// at least what the asking edge needs.
    /// </summary>
    public GlobalQuotaRequest NextHomeRequest(string key, string region, long wantedAtLeast, long now)
    {
        if (_permits != 0 && now >= _deadline)
        {
            if (_permits > 0 && IsPast(_periods, now))
            {
                Stranded += _permits;
            }

            AddReturn(_permits, _periods);
            _permits = 0;
        }

        long wanted = 0;
        if (wantedAtLeast > 0)
        {
            // A rate measured over less than a quarter second is noise (one permit in a millisecond is no 1,000 a second).
            var elapsed = Math.Max(time.GetElapsedTime(_grantedAt, now).TotalSeconds, MinRateInterval);
            var rate = _handedOut / elapsed;
            var horizon = options.RegionLeaseHorizon.TotalSeconds;
            wanted = _lastGrant == 0 ? wantedAtLeast : (long)Math.Ceiling(rate * horizon);
            if (_lastGrant > 0 && _handedOut >= _lastGrant && elapsed < horizon)
            {
                wanted = Math.Max(wanted, 2 * _lastGrant); // spent faster than planned: grow quickly
            }

            if (_lastGrant > 0 && SecondsToPeriodEnd(now) is { } left)
            {
                // Permits held when the home's period ends are lost for it: near the end ask only for what will be spent.
                wanted = Math.Min(wanted, (long)Math.Ceiling(rate * left * 1.25) + 1);
            }

            wanted = Math.Max(Math.Clamp(wanted, 1, options.RegionMaxLease), wantedAtLeast - Math.Max(0, now < _deadline ? _permits : 0));
        }

        var returns = _returns.ToArray();
        _returns.Clear(); // gone with this request whatever becomes of it: never sent twice, never credited twice
        return new GlobalQuotaRequest { Key = key, Region = region, Lessee = Lessee, Sequence = ++_sequence, Limits = Limits, Wanted = wanted, Returns = returns };
    }

    /// <summary>A request that hands everything the pool holds back to the home (the activation is going away).</summary>
    public GlobalQuotaRequest ReturnAll(string key, string region, long now)
    {
        if (_permits != 0)
        {
            AddReturn(_permits, _periods);
            _permits = 0;
        }

        return NextHomeRequest(key, region, 0, now);
    }

    /// <summary>Takes in the home's answer to a request sent at <paramref name="sent"/>, which bounds the lease's life.</summary>
    public void ApplyHome(QuotaGrant grant, long sent, long now)
    {
        CutOff = false;
        var samePeriods = now < _deadline && _periods.AsSpan().SequenceEqual(grant.Periods);
        if (!samePeriods && _permits != 0)
        {
            // A lease of periods that ended (the home moved on): they go back, and count only where the period did not end.
            AddReturn(_permits, _periods);
            _permits = 0;
        }

        _permits += grant.Granted;
        _periods = samePeriods ? _periods : grant.Periods;
        _deadline = sent + Ticks(TimeSpan.FromMilliseconds(grant.ValidForMs));
        _homeRemaining = grant.Remaining;
        _resetAt = [.. grant.ResetSeconds.Select(s => sent + Ticks(TimeSpan.FromSeconds(s)))];
        if (grant.Granted > 0)
        {
            (_lastGrant, _grantedAt, _handedOut, _askHomeAt) = (grant.Granted, now, 0, 0);
        }
        else if (_permits <= 0)
        {
            // Nothing left at home: edges hear so until permits stranded elsewhere may have come back.
            _askHomeAt = now + Math.Min(Ticks(TimeSpan.FromMilliseconds(Math.Max(grant.ValidForMs, 1))), Ticks(options.HomeRetryInterval));
        }
    }

    /// <summary>The home could not be reached (or did not answer in time): the region is cut off until a call succeeds.</summary>
    public void HomeFailed(long now)
    {
        CutOff = true;
        _askHomeAt = now + Ticks(options.HomeRetryInterval);
    }

    /// <summary>
    /// The answer when the region is cut off from home and holds nothing: with <c>fault_tolerant</c>, permits from the
    /// region's own count, at most <see cref="RateLimitCounterOptions.PartitionShare"/> of each limit per period of this
    /// region's clock; without it, unavailable (the edge answers 503) until the home is asked again.
    /// </summary>
    public QuotaGrant Fallback(long wanted, bool faultTolerant, long now)
    {
        var retryMs = Math.Max(1, Milliseconds(_askHomeAt - now));
        if (!faultTolerant)
        {
            return new QuotaGrant { Periods = _periods, Remaining = new long[Limits.Length], ResetSeconds = ResetSeconds(now), ValidForMs = Math.Min(retryMs, 1000), Unavailable = true };
        }

        var share = options.PartitionShare ?? 1.0 / Math.Max(1, regions);
        var unixNow = time.GetUtcNow().ToUnixTimeMilliseconds();
        var nowSeconds = unixNow / 1000;
        var granted = Math.Max(1, wanted);
        var periods = new long[Limits.Length];
        var allowed = new long[Limits.Length];
        for (var i = 0; i < Limits.Length; i++)
        {
            var (window, limit) = Limits[i];
            var period = RateLimitPeriods.Start(window, nowSeconds);
            allowed[i] = (long)Math.Floor((limit * share) + 1e-9); // a third of 90 is 30, not 29.999…
            var count = _fallback.TryGetValue(window, out var held) && held.Period == period ? held.Granted : 0;
            _fallback[window] = new WindowCount(period, count);
            periods[i] = FallbackPeriods.Encode(period);
            granted = Math.Min(granted, Math.Max(0, allowed[i] - count));
        }

        var remaining = new long[Limits.Length];
        var reset = new long[Limits.Length];
        var shortestEnd = long.MaxValue;
        for (var i = 0; i < Limits.Length; i++)
        {
            var window = Limits[i].Window;
            var count = _fallback[window].Granted + granted;
            _fallback[window] = _fallback[window] with { Granted = count };
            remaining[i] = Math.Max(0, allowed[i] - count);
            var end = RateLimitPeriods.End(window, nowSeconds);
            reset[i] = end - nowSeconds;
            shortestEnd = Math.Min(shortestEnd, end);
        }

        var validFor = Math.Min((shortestEnd * 1000) - unixNow, (long)options.MaxLeaseDuration.TotalMilliseconds);
        return new QuotaGrant { Granted = granted, Periods = periods, Remaining = remaining, ResetSeconds = reset, ValidForMs = Math.Max(1, validFor) };
    }

    private QuotaGrant Answer(long granted, long now, long validForMs)
    {
        var remaining = new long[Limits.Length];
        for (var i = 0; i < Limits.Length && i < _homeRemaining.Length; i++)
        {
            remaining[i] = Math.Min(Limits[i].Limit, _homeRemaining[i] + _permits);
        }

        return new QuotaGrant { Granted = granted, Periods = _periods, Remaining = remaining, ResetSeconds = ResetSeconds(now), ValidForMs = Math.Max(0, validForMs) };
    }

    private long[] ResetSeconds(long now)
    {
        var reset = new long[Limits.Length];
        for (var i = 0; i < Limits.Length; i++)
        {
            reset[i] = i < _resetAt.Length ? Math.Max(1, (long)Math.Ceiling(time.GetElapsedTime(now, _resetAt[i]).TotalSeconds)) : 1;
        }

        return reset;
    }

    /// <summary>Seconds until the first of the home's periods the pool holds ends (by when the home said so, on this region's monotonic clock).</summary>
    private double? SecondsToPeriodEnd(long now)
    {
        if (_resetAt.Length == 0)
        {
            return null;
        }

        var left = time.GetElapsedTime(now, _resetAt.Min()).TotalSeconds;
        return left > 0 ? left : null;
    }

    /// <summary>True when <paramref name="periods"/> are the pool's and the shortest of them has ended.</summary>
    private bool IsPast(long[] periods, long now) =>
        periods.AsSpan().SequenceEqual(_periods) && _resetAt.Length > 0 && now >= _resetAt.Min();

    private void AddReturn(long permits, long[] periods)
    {
        for (var i = 0; i < _returns.Count; i++)
        {
            if (_returns[i].Periods.AsSpan().SequenceEqual(periods))
            {
                _returns[i] = _returns[i] with { Permits = _returns[i].Permits + permits };
                return;
            }
        }

        // Bounded: one entry per distinct periods, and periods only move forward.
        if (_returns.Count >= 8)
        {
            _returns.RemoveAt(0);
        }

        _returns.Add(new QuotaReturn(permits, periods));
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private long Milliseconds(long ticks) => (long)(ticks * 1000.0 / time.TimestampFrequency);
}

/// <summary>
/// Periods of a lease a region granted from its own count while cut off from home are stored negated (the home's are unix
/// seconds, never negative): an edge hands them back as they came, and the region tells its own permits from the home's.
/// </summary>
internal static class FallbackPeriods
{
    public static long Encode(long period) => -1 - period;

    public static long Decode(long encoded) => -1 - encoded;

    public static bool Is(long[] periods) => periods.Length > 0 && periods[0] < 0;
}
