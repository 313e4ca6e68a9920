using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 upstream that records the exact bytes of every request it receives (head and body, as Latin-1 text)
/// and answers each with <c>200 ok</c>: what crossed the gateway, byte for byte, with no HTTP stack in between to
/// tidy it up. It frames requests by Content-Length or chunked encoding, as a real server would, so a smuggled
/// second request shows up as a second record.
/// </summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private RecordingUpstream(TcpListener listener)
    {
        _listener = listener;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every request received, in order, as raw text.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static RecordingUpstream Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new RecordingUpstream(listener);
    }

    /// <summary>The requests whose request line contains <paramref name="marker"/>.</summary>
    public IReadOnlyList<string> RequestsFor(string marker) =>
        [.. Requests.Where(r => r[..Math.Max(r.IndexOf('\n', StringComparison.Ordinal), 0)].Contains(marker, StringComparison.Ordinal))];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int end;
                while ((end = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read));
                }

                var head = Encoding.Latin1.GetString([.. buffer.GetRange(0, end + 4)]);
                var length = end + 4 + await BodyLengthAsync(head, buffer, end + 4, stream, chunk);
                Requests.Enqueue(Encoding.Latin1.GetString([.. buffer.GetRange(0, length)]));
                buffer.RemoveRange(0, length);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), _stop.Token);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The body's length as framed by the head: Content-Length, or chunks up to the last one and its trailers.</summary>
    private async Task<int> BodyLengthAsync(string head, List<byte> buffer, int start, NetworkStream stream, byte[] chunk)
    {
        var lines = head.Split("\r\n");
        if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            var position = start;
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(buffer, "\r\n"u8, position)) < 0)
                {
                    await FillAsync(buffer, stream, chunk);
                }

                var size = Convert.ToInt32(Encoding.Latin1.GetString([.. buffer.GetRange(position, lineEnd - position)]).Split(';')[0].Trim(), 16);
                position = lineEnd + 2;
                if (size == 0)
                {
                    while ((lineEnd = IndexOf(buffer, "\r\n"u8, position)) != position)
                    {
                        if (lineEnd < 0)
                        {
                            await FillAsync(buffer, stream, chunk);
                            continue;
                        }

                        position = lineEnd + 2; // a trailer
                    }

                    return position + 2 - start;
                }

                while (buffer.Count < position + size + 2)
                {
                    await FillAsync(buffer, stream, chunk);
                }

                position += size + 2;
            }
        }

        var declared = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var contentLength = declared is null ? 0 : int.Parse(declared["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        while (buffer.Count < start + contentLength)
        {
            await FillAsync(buffer, stream, chunk);
        }

        return contentLength;
    }

    private async Task FillAsync(List<byte> buffer, NetworkStream stream, byte[] chunk)
    {
        var read = await stream.ReadAsync(chunk, _stop.Token);
        if (read == 0)
        {
            throw new IOException("closed mid-request");
        }

        buffer.AddRange(chunk.AsSpan(0, read));
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> value, int from = 0)
    {
        for (var i = from; i <= buffer.Count - value.Length; i++)
        {
            var match = true;
            for (var j = 0; j < value.Length && match; j++)
            {
                match = buffer[i + j] == value[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
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
}
