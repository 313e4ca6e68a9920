using System.Collections.Concurrent;
using Turnpike.Edge.Hosting;
using Turnpike.Metering;

namespace Turnpike.Edge.Metering;

/// <summary>
/// The proxy's side of metering: adds each finished request to an in-memory cell per consumer, service,
/// route and hour. No I/O and no allocation once a cell exists; <see cref="MeterFlusher"/> collects the deltas.
/// </summary>
internal sealed class MeterRecorder(TimeProvider time)
{
    private readonly ConcurrentDictionary<MeterCellKey, MeterCell> _cells = new();

    /// <summary>Notified when a request is recorded: the flusher sleeps on it while nothing was metered.</summary>
    public WorkSignal Recorded { get; } = new();

    public void Record(Guid consumerId, Guid serviceId, Guid routeId, int status, bool rejected, long bytesIn, long bytesOut, long upstreamLatencyMs, List<(string Name, long Value)>? named)
    {
        var hour = MeterGrainKeys.HourOf(time.GetUtcNow().ToUnixTimeSeconds());
        var cell = _cells.GetOrAdd(new MeterCellKey(consumerId, serviceId, routeId, hour), static _ => new MeterCell());
        cell.Add(status, rejected, bytesIn, bytesOut, upstreamLatencyMs);
        if (named is not null)
        {
            foreach (var (name, value) in named)
            {
                cell.AddNamed(name, value);
            }
        }

        // After the adds (interlocked: a full fence), so a flusher that armed the signal and then found nothing is woken.
        Recorded.Notify();
    }

    /// <summary>Everything metered since the last collect; cells of hours long past that had nothing new are dropped.</summary>
    public List<MeterEntry> Collect()
    {
        var currentHour = MeterGrainKeys.HourOf(time.GetUtcNow().ToUnixTimeSeconds());
        var entries = new List<MeterEntry>();
        foreach (var (key, cell) in _cells)
        {
            if (cell.TakeDelta() is { } delta)
            {
                entries.Add(new MeterEntry { ConsumerId = key.ConsumerId, ServiceId = key.ServiceId, RouteId = key.RouteId, Hour = key.Hour, Counters = delta });
            }
            else if (key.Hour < currentHour - 3600)
            {
                // Requests are recorded under the hour they finish in, so a cell two hours old gets nothing more.
                _cells.TryRemove(key, out _);
            }
        }

        return entries;
    }

    private readonly record struct MeterCellKey(Guid ConsumerId, Guid ServiceId, Guid RouteId, long Hour);
}
