namespace Turnpike.Edge.Proxy;

/// <summary>
/// The upstream's response body held for the plugins that rewrite it (<see cref="ProxyContext.BufferResponseBody"/>),
/// up to the smallest limit one of them set: a write past it fails, which stops the copy from the upstream at once,
/// and <see cref="Overflowed"/> tells the plugins the body was too large to hold.
/// </summary>
internal sealed class ResponseBodyBuffer : MemoryStream
{
    /// <summary>The most bytes held; 0 for no limit.</summary>
    public int Limit { get; private set; }

    public bool Overflowed { get; private set; }

    /// <summary>Lowers the limit to <paramref name="maxBytes"/> (0 changes nothing).</summary>
    public void LimitTo(int maxBytes)
    {
        if (maxBytes > 0 && (Limit == 0 || maxBytes < Limit))
        {
            Limit = maxBytes;
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        Check(1);
        base.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    private void Check(int count)
    {
        if (Limit > 0 && Length + count > Limit)
        {
            Overflowed = true;
            throw new IOException($"The response body is larger than the {Limit} bytes a plugin holds.");
        }
    }
}
