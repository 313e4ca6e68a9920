using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Bench;

/// <summary>
/// One keep-alive socket to the benchmark's origin, for the yardsticks that skip every check (<see cref="RawForwarder"/>,
/// <see cref="RawHttpHandler"/>): a request head written in one send, an answer with Content-Length read into one buffer.
/// </summary>
internal sealed class RawOriginConnection(Socket socket)
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly byte[] _buffer = new byte[16384];

    public Socket Socket { get; } = socket;

    public static async Task<RawOriginConnection> OpenAsync(IPEndPoint origin)
    {
        var socket = new Socket(origin.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(origin);
        return new RawOriginConnection(socket);
    }

    /// <summary>A header line (or, with an empty name, the request line or the head's end) written at <paramref name="at"/>.</summary>
    public static int Line(byte[] buffer, int at, string name, string value)
    {
        var length = at;
        if (name.Length > 0)
        {
            length += Encoding.ASCII.GetBytes(name, buffer.AsSpan(length));
            length += Encoding.ASCII.GetBytes(": ", buffer.AsSpan(length));
        }

        length += Encoding.ASCII.GetBytes(value, buffer.AsSpan(length));
        length += Encoding.ASCII.GetBytes("\r\n", buffer.AsSpan(length));
        return length;
    }

    /// <summary>
    /// Reads one answer: its status, each header field but Connection and Keep-Alive to
    /// <paramref name="field"/>, and its body (valid until the next answer is read).
    /// </summary>
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> ReadAnswerAsync<TState>(TState state, Action<TState, string, string> field)
    {
        var read = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, read).IndexOf(HeaderEnd)) < 0)
        {
            read += await ReceiveAsync(read);
        }

        var bodyStart = headEnd + HeaderEnd.Length;
        var (status, bodyLength) = ParseHead(_buffer.AsSpan(0, headEnd), state, field);
        while (read < bodyStart + bodyLength)
        {
            read += await ReceiveAsync(read);
        }

        return (status, _buffer.AsMemory(bodyStart, bodyLength));
    }

    private async ValueTask<int> ReceiveAsync(int offset)
    {
        var received = await Socket.ReceiveAsync(_buffer.AsMemory(offset), SocketFlags.None);
        return received > 0 ? received : throw new IOException("The origin closed the connection.");
    }

    private static (int Status, int BodyLength) ParseHead<TState>(ReadOnlySpan<byte> head, TState state, Action<TState, string, string> field)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        var status = Utf8Parser.TryParse(statusLine[9..12], out int parsed, out _) ? parsed : throw new InvalidOperationException("No status code.");
        var bodyLength = -1;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim((byte)' '));
            if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                bodyLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                field(state, name, value);
            }
        }

        return (status, bodyLength >= 0 ? bodyLength : throw new InvalidOperationException("Only answers with Content-Length are forwarded."));
    }
}
