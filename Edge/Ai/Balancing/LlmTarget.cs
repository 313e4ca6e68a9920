namespace Turnpike.Edge.Ai.Balancing;

/// <summary>
/// One of ai-proxy-advanced's targets on this edge: its LLM settings and weight, and what the balancer learns from
/// live traffic — passive health, latency, usage. Statistics are per edge, as an upstream target's passive health is.
/// </summary>
internal sealed class LlmTarget(AiProxySettings settings, int weight, string? description)
{
    private readonly Lock _lock = new();
    private long _downUntil;
    private double _latency;
    private double _usage;
    private long _usageAt;

    public AiProxySettings Settings { get; } = settings;

    public int Weight { get; } = weight;

    public string? Description { get; } = description;

    /// <summary>Smooth weighted round-robin's running value; the balancer changes it under its own lock.</summary>
    internal long Current { get; set; }

    /// <summary>The smoothed latency in milliseconds (per output token for tpot); 0 until one call answered.</summary>
    public double Latency
    {
        get
        {
            lock (_lock)
            {
                return _latency;
            }
        }
    }

    public bool IsHealthy(long now) => now >= Volatile.Read(ref _downUntil);

    /// <summary>Down until <paramref name="until"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void MarkDown(long until) => Volatile.Write(ref _downUntil, until);

    public void MarkUp() => Volatile.Write(ref _downUntil, 0);

    /// <summary>Adds a latency sample to the moving average (the first sample is taken as it is).</summary>
    public void AddLatency(double milliseconds)
    {
        lock (_lock)
        {
            _latency = _latency == 0 ? milliseconds : (_latency * 0.7) + (milliseconds * 0.3);
        }
    }

    /// <summary>The usage counted so far, decayed to <paramref name="now"/> (a time constant of <paramref name="window"/>).</summary>
    public double UsageAt(long now, TimeSpan window, TimeProvider time)
    {
        lock (_lock)
        {
            return Decayed(now, window, time);
        }
    }

    public void AddUsage(double amount, long now, TimeSpan window, TimeProvider time)
    {
        lock (_lock)
        {
            _usage = Decayed(now, window, time) + amount;
            _usageAt = now;
        }
    }

    private double Decayed(long now, TimeSpan window, TimeProvider time) =>
        _usage == 0 ? 0 : _usage * Math.Exp(-time.GetElapsedTime(_usageAt, now).TotalMilliseconds / window.TotalMilliseconds);
}
