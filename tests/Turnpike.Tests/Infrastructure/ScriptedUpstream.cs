using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// An upstream that answers with exactly the bytes a test scripts, one script run per accepted connection: how an
/// HTTP/1.1 client meets interim answers, chunks and trailers, bodies to the connection's end, connections closed under
/// it, and hostile heads no real server library would write.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Connection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private ScriptedUpstream(TcpListener listener, Func<Connection, Task> script)
    {
        _listener = listener;
        _script = script;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>How many connections the upstream accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static ScriptedUpstream Start(Func<Connection, Task> script)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedUpstream(listener, script);
    }

    /// <summary>Answers every request of every connection with <paramref name="answer"/>, keeping the connection open.</summary>
    public static ScriptedUpstream Answering(string answer) => Start(async connection =>
    {
        while (await connection.ReadRequestAsync() is not null)
        {
            await connection.WriteAsync(answer);
        }
    });

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = RunAsync(new Connection(socket, _stop.Token));
        }
    }

    private async Task RunAsync(Connection connection)
    {
        using (connection)
        {
            try
            {
                await _script(connection);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // the client went away mid-script
            }
            catch (SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }

    /// <summary>One accepted connection: reads requests (head and body, framed by Content-Length or chunks) and writes raw text.</summary>
    public sealed class Connection(Socket socket, CancellationToken stop) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly List<byte> _buffer = [];

        /// <summary>The next request's head and body as Latin-1 text (a chunked body decoded); null when the client closed.</summary>
        public async Task<(string Head, string Body)?> ReadRequestAsync()
        {
            int end;
            while ((end = IndexOf("\r\n\r\n")) < 0)
            {
                if (!await FillAsync())
                {
                    return null;
                }
            }

            var head = Take(end + 4);
            var lines = head.Split("\r\n");
            var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } cl
                ? int.Parse(cl["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            if (lines.Any(l => l.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
            {
                var body = new StringBuilder();
                while (true)
                {
                    var sizeLine = await LineAsync();
                    var size = Convert.ToInt32(sizeLine.Split(';')[0], 16);
                    if (size == 0)
                    {
                        while ((await LineAsync()).Length > 0)
                        {
                        }

                        return (head, body.ToString());
                    }

                    while (_buffer.Count < size + 2)
                    {
                        await FillOrThrowAsync();
                    }

                    body.Append(Take(size));
                    Take(2);
                }
            }

            while (_buffer.Count < length)
            {
                await FillOrThrowAsync();
            }

            return (head, Take(length));
        }

        public async Task WriteAsync(string text) => await _stream.WriteAsync(Encoding.Latin1.GetBytes(text), stop);

        /// <summary>Closes the sending side (FIN) and keeps reading until the client closes its side.</summary>
        public async Task ShutdownAsync()
        {
            socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[1024];
            while (await _stream.ReadAsync(sink, stop) > 0)
            {
            }
        }

        /// <summary>Resets the connection (RST, not FIN).</summary>
        public void Reset()
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }

        /// <summary>What the client sent as raw text until it closed, after what was read already.</summary>
        public async Task<string> ReadToEndAsync()
        {
            while (await FillAsync())
            {
            }

            return Take(_buffer.Count);
        }

        public void Dispose() => _stream.Dispose();

        private async Task<string> LineAsync()
        {
            int end;
            while ((end = IndexOf("\r\n")) < 0)
            {
                await FillOrThrowAsync();
            }

            var line = Take(end);
            Take(2);
            return line;
        }

        private async Task FillOrThrowAsync()
        {
            if (!await FillAsync())
            {
                throw new IOException("The client closed the connection within a request.");
            }
        }

        private async Task<bool> FillAsync()
        {
            var chunk = new byte[8192];
            var read = await _stream.ReadAsync(chunk, stop);
            _buffer.AddRange(chunk.AsSpan(0, read));
            return read > 0;
        }

        private int IndexOf(string text) => Encoding.Latin1.GetString([.. _buffer]).IndexOf(text, StringComparison.Ordinal);

        private string Take(int count)
        {
            var text = Encoding.Latin1.GetString([.. _buffer.Take(count)]);
            _buffer.RemoveRange(0, count);
            return text;
        }
    }
}
