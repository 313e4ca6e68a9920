using System.Buffers;
using System.Globalization;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// The stream a request's content is copied into: written to the connection as it comes, framed by Content-Length
/// (held to exactly that many bytes) or as chunks.
/// </summary>
internal sealed class Http1RequestBody(Http1Connection connection, Http1BodyFraming framing, long length) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        _written += buffer.Length;
        if (framing != Http1BodyFraming.Chunked)
        {
            if (_written > length)
            {
                throw new HttpRequestException($"The request body is longer than its Content-Length ({length}).");
            }

            await connection.SendAsync(buffer, cancellationToken);
            return;
        }

        // One chunk per write: its size line, the data and its CR LF in one send while it is small.
        var sizeLine = buffer.Length.ToString("X", CultureInfo.InvariantCulture) + "\r\n";
        if (buffer.Length > 16 * 1024)
        {
            await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(sizeLine), cancellationToken);
            await connection.SendAsync(buffer, cancellationToken);
            await connection.SendAsync("\r\n"u8.ToArray(), cancellationToken);
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(sizeLine.Length + buffer.Length + 2);
        try
        {
            var at = System.Text.Encoding.ASCII.GetBytes(sizeLine, chunk);
            buffer.Span.CopyTo(chunk.AsSpan(at));
            at += buffer.Length;
            "\r\n"u8.CopyTo(chunk.AsSpan(at));
            await connection.SendAsync(chunk.AsMemory(0, at + 2), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>The content was copied: the last chunk goes, or the length is checked.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (framing == Http1BodyFraming.Chunked)
        {
            await connection.SendAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        }
        else if (_written != length)
        {
            throw new HttpRequestException($"The request body ended after {_written} of its {length} bytes (Content-Length).");
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // every write is sent as it comes

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
