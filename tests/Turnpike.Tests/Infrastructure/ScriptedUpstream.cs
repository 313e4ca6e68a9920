using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// An upstream that answers with exactly the bytes a test scripts, one script run per accepted connection, with no
/// HTTP stack in between to tidy them up: the malformed or hostile answers no real server library would write.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Connection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private ScriptedUpstream(TcpListener listener, Func<Connection, Task> script)
    {
        _listener = listener;
        _script = script;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    public static ScriptedUpstream Start(Func<Connection, Task> script)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedUpstream(listener, script);
    }

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
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>One accepted connection: reads requests as framed (Content-Length or chunks) and writes raw text.</summary>
    public sealed class Connection(Socket socket, CancellationToken stop) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly List<byte> _buffer = [];
        private readonly byte[] _chunk = new byte[8192];

        /// <summary>
        /// The next request exactly as it came, head and body as Latin-1 text (a chunked body with its framing and
        /// trailers), so a smuggled second request is a second one; null when the client closed first.
        /// </summary>
        public async Task<string?> ReadRequestAsync()
        {
            int end;
            while ((end = IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await FillAsync())
                {
                    return null;
                }
            }

            var head = Encoding.Latin1.GetString([.. _buffer.GetRange(0, end + 4)]);
            var length = end + 4 + await BodyLengthAsync(head, end + 4);
            var request = Encoding.Latin1.GetString([.. _buffer.GetRange(0, length)]);
            _buffer.RemoveRange(0, length);
            return request;
        }

        public async Task WriteAsync(string text) => await _stream.WriteAsync(Encoding.Latin1.GetBytes(text), stop);

        public void Dispose() => _stream.Dispose();

        /// <summary>The body's length as framed by the head: Content-Length, or chunks up to the last one and its trailers.</summary>
        private async Task<int> BodyLengthAsync(string head, int start)
        {
            var lines = head.Split("\r\n");
            if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                var position = start;
                while (true)
                {
                    int lineEnd;
                    while ((lineEnd = IndexOf("\r\n"u8, position)) < 0)
                    {
                        await FillOrThrowAsync();
                    }

                    var size = Convert.ToInt32(Encoding.Latin1.GetString([.. _buffer.GetRange(position, lineEnd - position)]).Split(';')[0].Trim(), 16);
                    position = lineEnd + 2;
                    if (size == 0)
                    {
                        while ((lineEnd = IndexOf("\r\n"u8, position)) != position)
                        {
                            if (lineEnd < 0)
                            {
                                await FillOrThrowAsync();
                                continue;
                            }

                            position = lineEnd + 2; // a trailer
                        }

                        return position + 2 - start;
                    }

                    while (_buffer.Count < position + size + 2)
                    {
                        await FillOrThrowAsync();
                    }

                    position += size + 2;
                }
            }

            var declared = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var contentLength = declared is null ? 0 : int.Parse(declared["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            while (_buffer.Count < start + contentLength)
            {
                await FillOrThrowAsync();
            }

            return contentLength;
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
            var read = await _stream.ReadAsync(_chunk, stop);
            _buffer.AddRange(_chunk.AsSpan(0, read));
            return read > 0;
        }

        private int IndexOf(ReadOnlySpan<byte> value, int from = 0)
        {
            for (var i = from; i <= _buffer.Count - value.Length; i++)
            {
                var match = true;
                for (var j = 0; j < value.Length && match; j++)
                {
                    match = _buffer[i + j] == value[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
