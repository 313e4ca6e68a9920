using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.Syslog;

/// <summary>Picks each request's severity by its status class and queues the message; the queue's loop sends each as one datagram.</summary>
internal sealed class SyslogHandler : IPluginHandler, IDisposable
{
    private readonly SyslogPluginOptions _options;
    private readonly SyslogOptions _destination;
    private readonly LogQueue _queue;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly EndPoint _endPoint;
    private readonly string? _host;
    private readonly int _facility;
    private readonly int _threshold;

    public SyslogHandler(SyslogPluginOptions options, SyslogOptions destination, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _destination = destination;
        _time = time;
        _facility = SyslogMessage.Facility(options.Facility);
        _threshold = SyslogMessage.Severity(options.LogLevel);
        if (destination.UdpEndpoint is { } udp)
        {
            _socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
            _endPoint = IPAddress.TryParse(udp.Host, out var address) ? new IPEndPoint(address, udp.Port) : new DnsEndPoint(udp.Host, udp.Port);
            _host = Environment.MachineName; // a remote daemon learns the sender from the message (RFC 3164 HOSTNAME)
        }
        else
        {
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            _endPoint = new UnixDomainSocketEndPoint(destination.Address);
        }

        _queue = new LogQueue("syslog", LogDestination.Queue, SendAsync, metrics, logger, time);
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var severity = SyslogMessage.Severity(status >= StatusCodes.Status500InternalServerError ? _options.ServerErrorsSeverity
            : status >= StatusCodes.Status400BadRequest ? _options.ClientErrorsSeverity
            : _options.SuccessfulSeverity);
        if (severity > _threshold)
        {
            return; // less severe than log_level
        }

        var now = _time.GetLocalNow();
        var record = KongLogRecord.Serialize(context, now.ToUnixTimeMilliseconds() - context.RequestLatencyMs);
        _queue.Add(SyslogMessage.Format(_facility, severity, now, _host, Environment.ProcessId, record));
    }

    private async Task<bool> SendAsync(IReadOnlyList<byte[]> batch, CancellationToken cancellationToken)
    {
        try
        {
            var target = _endPoint is DnsEndPoint named ? new IPEndPoint((await Dns.GetHostAddressesAsync(named.Host, cancellationToken))[0], named.Port) : _endPoint;
            foreach (var message in batch)
            {
                await _socket.SendToAsync(message, SocketFlags.None, target, cancellationToken);
            }

            return true;
        }
        catch (SocketException ex)
        {
            throw new IOException($"syslog at {_destination.Address}: {ex.Message}", ex);
        }
    }

    /// <summary>Stops taking entries; the socket closes once what is queued was sent.</summary>
    public void Dispose()
    {
        _queue.Complete();
        _ = _queue.Drained.ContinueWith(static (_, socket) => ((Socket)socket!).Dispose(), _socket, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
