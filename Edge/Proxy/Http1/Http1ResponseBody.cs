using System.Globalization;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// An upstream answer's body, read from its connection as the reader asks, framed as its head said (RFC 9112 section
/// 6.3): by Content-Length, in chunks (their trailer fields onto the response's trailing headers), or to the end of the
/// connection; after <c>101 Switching Protocols</c> it is the connection itself, both ways. At its end the connection
/// goes back to the pool when it can carry another request; a body left unread closes it.
/// </summary>
internal sealed class Http1ResponseBody : Stream
{
    private const int MaxChunkLineBytes = 4096;

    private readonly HttpResponseMessage _response;
    private readonly Framing _framing;
    private readonly bool _reusable;
    private Http1Connection? _connection;
    private long _remaining;
    private ChunkPart _part = ChunkPart.Size;
    private int _trailerBytes;

    private Http1ResponseBody(Http1Connection connection, HttpResponseMessage response, Framing framing, long remaining, bool reusable)
    {
        _connection = connection;
        _response = response;
        _framing = framing;
        _remaining = remaining;
        _reusable = reusable;
    }

    private enum Framing
    {
        ContentLength,
        Chunked,
        ToClose,
        Upgraded,
    }

    private enum ChunkPart
    {
        Size,
        Data,
        DataEnd,
        Trailer,
    }

    /// <summary>The body <paramref name="head"/> announces; an empty one hands the connection back at once.</summary>
    public static Stream For(Http1Connection connection, Http1ResponseHead head, HttpResponseMessage response, bool toHead)
    {
        if (head.Status == 101)
        {
            return new Http1ResponseBody(connection, response, Framing.Upgraded, 0, reusable: false);
        }

        if (toHead || head.Status is 204 or 304 || head.ContentLength == 0)
        {
            connection.Complete(head.KeepsConnection);
            return Null;
        }

        if (head.Chunked)
        {
            return new Http1ResponseBody(connection, response, Framing.Chunked, 0, head.KeepsConnection);
        }

        return head.ContentLength is { } length && !head.TransferEncoding
            ? new Http1ResponseBody(connection, response, Framing.ContentLength, length, head.KeepsConnection)
            : new Http1ResponseBody(connection, response, Framing.ToClose, 0, reusable: false);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => _framing == Framing.Upgraded;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_connection is not { } connection || buffer.IsEmpty)
        {
            return 0;
        }

        try
        {
            return _framing switch
            {
                Framing.ContentLength => await ReadLengthAsync(connection, buffer, cancellationToken),
                Framing.Chunked => await ReadChunkedAsync(connection, buffer, cancellationToken),
                _ => await ReadToCloseAsync(connection, buffer, cancellationToken),
            };
        }
        catch (Exception exception)
        {
            Dispose();
            throw AsIOException(exception);
        }
    }

    /// <summary>
    /// A body's failure as SocketsHttpHandler reports one, an <see cref="HttpIOException"/>: readers (YARP's copy,
    /// ai-proxy's stream) catch IOException, and a socket's reset is none.
    /// </summary>
    private static Exception AsIOException(Exception exception) => exception switch
    {
        IOException or OperationCanceledException => exception,
        HttpRequestException http => new HttpIOException(http.HttpRequestError, http.Message, http),
        _ => new HttpIOException(HttpRequestError.Unknown, $"The upstream connection failed: {exception.Message}", exception),
    };

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_framing != Framing.Upgraded)
        {
            throw new NotSupportedException();
        }

        var connection = _connection ?? throw new ObjectDisposedException(nameof(Http1ResponseBody));
        try
        {
            await connection.SendAsync(buffer, cancellationToken);
        }
        catch (Exception exception)
        {
            Dispose();
            throw AsIOException(exception);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // writes are sent as they come

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask<int> ReadLengthAsync(Http1Connection connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        if (read == 0)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, $"The upstream closed the connection {_remaining} bytes before its body's end (Content-Length).");
        }

        _remaining -= read;
        if (_remaining == 0)
        {
            Complete(connection);
        }

        return read;
    }

    private async ValueTask<int> ReadToCloseAsync(Http1Connection connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await connection.ReadAsync(buffer, cancellationToken);
        if (read == 0)
        {
            Complete(connection);
        }

        return read;
    }

    private async ValueTask<int> ReadChunkedAsync(Http1Connection connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (_part)
            {
                case ChunkPart.Data:
                    var read = await connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
                    if (read == 0)
                    {
                        throw new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection within a chunk.");
                    }

                    _remaining -= read;
                    if (_remaining == 0)
                    {
                        _part = ChunkPart.DataEnd;
                    }

                    return read;

                case ChunkPart.Size:
                    var (length, withEnd) = await connection.ReadLineAsync(MaxChunkLineBytes, cancellationToken);
                    _remaining = ChunkSize(connection.Buffered[..length]);
                    connection.Consume(withEnd);
                    _part = _remaining == 0 ? ChunkPart.Trailer : ChunkPart.Data;
                    break;

                case ChunkPart.DataEnd:
                    (length, withEnd) = await connection.ReadLineAsync(MaxChunkLineBytes, cancellationToken);
                    if (length != 0)
                    {
                        throw Http1ResponseHead.Invalid("a chunk longer than its size");
                    }

                    connection.Consume(withEnd);
                    _part = ChunkPart.Size;
                    break;

                default:
                    (length, withEnd) = await connection.ReadLineAsync(Http1ResponseHead.MaxBytes, cancellationToken);
                    _trailerBytes += withEnd;
                    if (_trailerBytes > Http1ResponseHead.MaxBytes)
                    {
                        throw Http1ResponseHead.Invalid($"trailer fields longer than {Http1ResponseHead.MaxBytes} bytes");
                    }

                    if (length == 0)
                    {
                        connection.Consume(withEnd);
                        Complete(connection);
                        return 0;
                    }

                    Http1ResponseHead.ParseTrailer(connection.Buffered[..length], _response);
                    connection.Consume(withEnd);
                    break;
            }
        }
    }

    /// <summary>A chunk's size line: hex digits, then optional extensions (ignored).</summary>
    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var end = line.IndexOfAny((byte)';', (byte)' ', (byte)'\t');
        var digits = end < 0 ? line : line[..end];
        if (digits.IsEmpty || digits.Length > 15 || !long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw Http1ResponseHead.Invalid("a malformed chunk size");
        }

        return size;
    }

    private void Complete(Http1Connection connection)
    {
        _connection = null;
        connection.Complete(_reusable);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _connection, null) is { } unfinished)
        {
            unfinished.Dispose(); // the body was not read to its end: the connection cannot carry another request
        }

        base.Dispose(disposing);
    }
}
