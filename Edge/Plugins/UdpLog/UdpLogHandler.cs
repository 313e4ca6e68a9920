using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.UdpLog;

/// <summary>Queues each request's record; the queue's loop sends each as one datagram from one socket.</summary>
internal sealed class UdpLogHandler : IPluginHandler, IDisposable
{
    /// <summary>The largest UDP payload over IPv4.</summary>
    public const int MaxDatagram = 65_507;

    private readonly UdpLogOptions _options;
    private readonly LogQueue _queue;
    private readonly LogMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly UdpClient _socket = new();

    public UdpLogHandler(UdpLogOptions options, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _queue = new LogQueue("udp-log", LogDestination.Queue, SendAsync, metrics, logger, time);
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context)
    {
        var record = KongLogRecord.Serialize(context, _time.GetUtcNow().ToUnixTimeMilliseconds() - context.RequestLatencyMs);
        if (record.Length > MaxDatagram)
        {
            _metrics.Dropped("udp-log"); // no datagram carries it, and half a record is no record
            return;
        }

        _queue.Add(record);
    }

    private async Task<bool> SendAsync(IReadOnlyList<byte[]> batch, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, _options.Timeout)), _time);
        try
        {
            foreach (var entry in batch)
            {
                await _socket.SendAsync(entry, _options.Host, _options.Port, timeout.Token);
            }

            return true;
        }
        catch (SocketException ex)
        {
            throw new IOException($"{_options.Host}:{_options.Port}: {ex.Message}", ex);
        }
    }

    /// <summary>Stops taking entries; the socket closes once what is queued was sent.</summary>
    public void Dispose()
    {
        _queue.Complete();
        _ = _queue.Drained.ContinueWith(static (_, socket) => ((UdpClient)socket!).Dispose(), _socket, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
