using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>
/// Kong's plugin queue: entries are added on the request's thread without waiting (a full queue drops the entry and
/// counts it), and one background loop sends them in batches of up to <c>max_batch_size</c> (waiting up to
/// <c>max_coalescing_delay</c> for a batch to fill), retrying a failed batch with doubling delays from
/// <c>initial_retry_delay</c> to <c>max_retry_delay</c> for up to <c>max_retry_time</c>, then dropping it, counted.
/// A slow or dead destination costs memory up to <c>max_entries</c> (and <c>max_bytes</c>), never request latency.
/// </summary>
internal sealed partial class LogQueue
{
    private readonly Channel<byte[]> _entries;
    private readonly LogQueueOptions _options;
    private readonly Func<IReadOnlyList<byte[]>, CancellationToken, Task<bool>> _send;
    private readonly LogMetrics _metrics;
    private readonly string _plugin;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _bytes;

    public LogQueue(string plugin, LogQueueOptions options, Func<IReadOnlyList<byte[]>, CancellationToken, Task<bool>> send, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _plugin = plugin;
        _options = options;
        _send = send;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        // Wait mode only so TryWrite says "full" (DropWrite would drop silently); nothing ever waits on it.
        _entries = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.MaxEntries) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        Drained = Task.Run(RunAsync);
    }

    /// <summary>Completes when the queue was <see cref="Complete"/>d and everything in it was sent or dropped.</summary>
    public Task Drained { get; }

    /// <summary>Entries waiting (for the tests and <c>/metrics</c>).</summary>
    public int Pending => _entries.Reader.Count;

    /// <summary>Adds an entry, or drops it (counted) when the queue is full: never waits.</summary>
    public void Add(byte[] entry)
    {
        if (_options.MaxBytes is { } maxBytes && Interlocked.Add(ref _bytes, entry.Length) > maxBytes)
        {
            Interlocked.Add(ref _bytes, -entry.Length);
            _metrics.Dropped(_plugin);
            return;
        }

        if (!_entries.Writer.TryWrite(entry))
        {
            if (_options.MaxBytes is not null)
            {
                Interlocked.Add(ref _bytes, -entry.Length);
            }

            _metrics.Dropped(_plugin);
        }
    }

    /// <summary>Stops taking entries; what is queued is still sent.</summary>
    public void Complete() => _entries.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _entries.Reader;
        var batch = new List<byte[]>(_options.MaxBatchSize);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var deadline = _time.GetTimestamp() + (long)(_options.MaxCoalescingDelay * _time.TimestampFrequency);
            while (batch.Count < _options.MaxBatchSize)
            {
                if (reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                    continue;
                }

                var left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                using var wait = new CancellationTokenSource(left, _time);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (batch.Count > 0)
            {
                await SendWithRetriesAsync(batch);
                if (_options.MaxBytes is not null)
                {
                    Interlocked.Add(ref _bytes, -batch.Sum(e => (long)e.Length));
                }
            }
        }
    }

    private async Task SendWithRetriesAsync(List<byte[]> batch)
    {
        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromSeconds(_options.InitialRetryDelay);
        while (true)
        {
            bool sent;
            try
            {
                sent = await _send(batch, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Whatever a destination does, the loop lives on: a failure is a retry, then a counted drop.
                LogSendFailed(_logger, _plugin, ex.GetType().Name, ex.Message);
                sent = false;
            }

            if (sent)
            {
                _metrics.Sent(_plugin, batch.Count);
                return;
            }

            if (_time.GetElapsedTime(started) + delay > TimeSpan.FromSeconds(_options.MaxRetryTime))
            {
                _metrics.Dropped(_plugin, batch.Count);
                LogBatchDropped(_logger, _plugin, batch.Count, _options.MaxRetryTime);
                return;
            }

            _metrics.Retried(_plugin);
            await Task.Delay(delay, _time);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(_options.MaxRetryDelay).Ticks));
        }
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "{Plugin}: sending a log batch failed ({Exception}: {Reason}); retrying")]
    private static partial void LogSendFailed(ILogger logger, string plugin, string exception, string reason);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "{Plugin}: dropped a batch of {Count} log entries after retrying for {Seconds} s")]
    private static partial void LogBatchDropped(ILogger logger, string plugin, int count, double seconds);
}
