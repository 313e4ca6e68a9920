namespace Turnpike.Edge.Upstreams;

/// <summary>
/// One target's health on this edge, from consecutive outcomes of live traffic (passive) and probes (active):
/// a failure threshold reached marks it unhealthy, a success threshold healthy again. Thread-safe.
/// </summary>
internal sealed class TargetHealth(Guid upstreamId, string target, HealthCheckSettings settings)
{
    private readonly Lock _lock = new();
    private int _successes;
    private int _httpFailures;
    private int _tcpFailures;
    private int _timeouts;
    private volatile bool _healthy = true;
    private HashSet<Guid> _applied = [];

    public Guid UpstreamId { get; } = upstreamId;

    public string Target { get; } = target;

    public HealthCheckSettings Settings { get; set; } = settings;

    /// <summary>The Host active probes send (the target's name or the upstream's host_header); null: the address.</summary>
    public string? Host { get; set; }

    public bool IsHealthy => _healthy;

    /// <summary>When an active probe is next due (Stopwatch ticks).</summary>
    public long NextProbe { get; set; }

    /// <summary>
    /// Applies, in order, each admin <c>healthy</c>/<c>unhealthy</c> of <paramref name="overrides"/> not applied here yet
    /// (a later table version carrying it again changes nothing); counts start over with each.
    /// </summary>
    public void Apply(IEnumerable<TargetHealthOverride> overrides)
    {
        lock (_lock)
        {
            var current = new HashSet<Guid>();
            foreach (var set in overrides)
            {
                current.Add(set.Id);
                if (!_applied.Contains(set.Id))
                {
                    (_healthy, _successes, _httpFailures, _tcpFailures, _timeouts) = (set.Healthy, 0, 0, 0, 0);
                }
            }

            _applied = current;
        }
    }

    public void Succeeded(bool active)
    {
        var threshold = active ? Settings.Active.Healthy.Successes : Settings.Passive.Healthy.Successes;
        lock (_lock)
        {
            (_httpFailures, _tcpFailures, _timeouts) = (0, 0, 0);
            _successes++;
            if (!_healthy && threshold > 0 && _successes >= threshold)
            {
                (_healthy, _successes) = (true, 0);
            }
        }
    }

    public void Failed(HealthFailure kind, bool active)
    {
        var s = Settings;
        var threshold = kind switch
        {
            HealthFailure.Http => active ? s.Active.Unhealthy.HttpFailures : s.Passive.Unhealthy.HttpFailures,
            HealthFailure.Tcp => active ? s.Active.Unhealthy.TcpFailures : s.Passive.Unhealthy.TcpFailures,
            _ => active ? s.Active.Unhealthy.Timeouts : s.Passive.Unhealthy.Timeouts,
        };
        lock (_lock)
        {
            _successes = 0;
            var count = kind switch
            {
                HealthFailure.Http => ++_httpFailures,
                HealthFailure.Tcp => ++_tcpFailures,
                _ => ++_timeouts,
            };
            if (_healthy && threshold > 0 && count >= threshold)
            {
                (_healthy, _httpFailures, _tcpFailures, _timeouts) = (false, 0, 0, 0);
            }
        }
    }
}

internal enum HealthFailure
{
    Http,
    Tcp,
    Timeout,
}
