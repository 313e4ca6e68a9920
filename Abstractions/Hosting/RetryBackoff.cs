namespace Turnpike.Hosting;

/// <summary>
/// Jittered exponential back-off for retry loops that a whole fleet runs at once (edges reconnecting to the silos,
/// resynchronising their route table): the n-th consecutive failure waits a random time between half and all of
/// <c>min(cap, initial × 2^n)</c>. The doubling keeps an outage cheap, the cap bounds how long recovery lags behind
/// the cluster coming back, and the jitter keeps hundreds of edges from retrying in the same millisecond.
/// Not thread-safe: one per loop.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _cap;
    private readonly Random _random;

    public RetryBackoff(TimeSpan initial, TimeSpan cap, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, initial);
        _initial = initial;
        _cap = cap;
        _random = random ?? Random.Shared;
    }

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>The delay <see cref="Next"/> last gave; zero after a success.</summary>
    public TimeSpan Current { get; private set; }

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        // 2^n overflows nothing: the exponent stops growing once the cap is reached.
        var ceiling = _initial;
        for (var i = 0; i < Failures && ceiling < _cap; i++)
        {
            ceiling *= 2;
        }

        if (ceiling > _cap)
        {
            ceiling = _cap;
        }

        Failures++;
        Current = ceiling * (0.5 + (0.5 * _random.NextDouble()));
        return Current;
    }

    /// <summary>A success: the next failure starts from the initial delay again.</summary>
    public void Reset()
    {
        Failures = 0;
        Current = TimeSpan.Zero;
    }
}
