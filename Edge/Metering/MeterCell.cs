using Turnpike.Metering;

namespace Turnpike.Edge.Metering;

/// <summary>
/// One consumer/service/route/hour's running counts on this edge. Requests add with interlocked operations;
/// a flush takes each field with an exchange to zero, so what is added meanwhile goes into the next batch.
/// </summary>
internal sealed class MeterCell
{
    private readonly long[] _statusClasses = new long[5];
    private readonly Lock _namedLock = new();
    private long _requests;
    private long _rejected;
    private long _bytesIn;
    private long _bytesOut;
    private long _latencyMs;
    private Dictionary<string, long>? _named;

    public void Add(int status, bool rejected, long bytesIn, long bytesOut, long upstreamLatencyMs)
    {
        Interlocked.Increment(ref _requests);
        if (rejected)
        {
            Interlocked.Increment(ref _rejected);
        }

        Interlocked.Increment(ref _statusClasses[Math.Clamp((status / 100) - 1, 0, 4)]);
        Interlocked.Add(ref _bytesIn, bytesIn);
        Interlocked.Add(ref _bytesOut, bytesOut);
        Interlocked.Add(ref _latencyMs, upstreamLatencyMs);
    }

    public void AddNamed(string name, long value)
    {
        lock (_namedLock)
        {
            _named ??= new(StringComparer.Ordinal);
            _named[name] = _named.GetValueOrDefault(name) + value;
        }
    }

    /// <summary>What was added since the last call; null when nothing was.</summary>
    public MeterCounters? TakeDelta()
    {
        var counters = new MeterCounters
        {
            Requests = Interlocked.Exchange(ref _requests, 0),
            Rejected = Interlocked.Exchange(ref _rejected, 0),
            BytesIn = Interlocked.Exchange(ref _bytesIn, 0),
            BytesOut = Interlocked.Exchange(ref _bytesOut, 0),
            UpstreamLatencyMsSum = Interlocked.Exchange(ref _latencyMs, 0),
        };
        for (var i = 0; i < _statusClasses.Length; i++)
        {
            counters.StatusClasses[i] = Interlocked.Exchange(ref _statusClasses[i], 0);
        }

        lock (_namedLock)
        {
            if (_named is { Count: > 0 })
            {
                counters.Named = _named;
                _named = null;
            }
        }

        return counters.IsEmpty ? null : counters;
    }
}
