using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The WAN between two regions in tests (our machines have no <c>tc netem</c>): a TCP relay on 127.0.0.1 that delivers
/// every byte a fixed time after it arrived, in each direction, in order. <see cref="Partition"/> cuts the path (the
/// listener and every relayed connection close); <see cref="Heal"/> opens it again on the same port.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly TimeSpan _oneWay;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private TcpListener? _listener;
    private CancellationTokenSource _up = new();

    private DelayProxy(int port, int targetPort, TimeSpan oneWay)
    {
        Port = port;
        _targetPort = targetPort;
        _oneWay = oneWay;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static DelayProxy Start(int targetPort, TimeSpan oneWay)
    {
        var proxy = new DelayProxy(FreePorts.Next(), targetPort, oneWay);
        proxy.Heal();
        return proxy;
    }

    /// <summary>Opens the path: connections are accepted and relayed again.</summary>
    public void Heal()
    {
        _up = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _up.Token);
    }

    /// <summary>Cuts the path: new connections are refused and every relayed one is closed.</summary>
    public void Partition()
    {
        _up.Cancel();
        _listener?.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Close(0);
        }

        _sockets.Clear();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken up)
    {
        while (!up.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(up);
            }
            catch (Exception)
            {
                return;
            }

            _ = RelayAsync(client, up);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken up)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets[client] = 0;
        _sockets[server] = 0;
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), up);
            await Task.WhenAny(PumpAsync(client, server, up), PumpAsync(server, client, up));
        }
        catch (Exception)
        {
            // The path was cut or a side went away: close both.
        }
        finally
        {
            _sockets.TryRemove(client, out _);
            _sockets.TryRemove(server, out _);
            client.Close(0);
            server.Close(0);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken up)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = WriteAsync(queue.Reader, to, up);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, up);
                if (read == 0)
                {
                    break;
                }

                queue.Writer.TryWrite((Stopwatch.GetTimestamp() + (long)(_oneWay.TotalSeconds * Stopwatch.Frequency), buffer[..read]));
            }
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await writer;
        to.Shutdown(SocketShutdown.Send);
    }

    private static async Task WriteAsync(ChannelReader<(long Due, byte[] Bytes)> queue, Socket to, CancellationToken up)
    {
        await foreach (var (due, bytes) in queue.ReadAllAsync(up))
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, up);
            }

            await to.SendAsync(bytes, SocketFlags.None, up);
        }
    }

    public ValueTask DisposeAsync()
    {
        Partition();
        return ValueTask.CompletedTask;
    }
}
