namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// The client's response stream with a copy kept of what passes, up to a bound: a miss's body on its way to the
/// client, for the cache. Past the bound (or once told to stop) the copy is dropped and the stream only passes bytes.
/// </summary>
internal sealed class CaptureStream(Stream inner, long limit) : Stream
{
    private MemoryStream? _copy = new();

    /// <summary>The copy, or null when it was dropped.</summary>
    public MemoryStream? Copy => _copy;

    public void Stop() => _copy = null;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is { } copy)
        {
            if (copy.Length + bytes.Length > limit)
            {
                _copy = null; // too large to cache: never held whole
                return;
            }

            copy.Write(bytes);
        }
    }
}
