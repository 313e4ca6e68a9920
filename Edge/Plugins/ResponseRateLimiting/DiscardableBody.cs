using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>
/// The client's response stream, which can be told to drop what is written from then on: the upstream's body of an
/// answer the plugin replaced by a 429 once its headers arrived (the forwarder still copies it, to nowhere). The
/// response is started before the first write goes through, so the headers phase decides before any byte passes.
/// </summary>
internal sealed class DiscardableBody(HttpResponse response, Stream inner) : Stream
{
    public bool Discard { get; set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        if (!Discard)
        {
            inner.Flush();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        if (!Discard)
        {
            await inner.FlushAsync(cancellationToken);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken);
        if (!Discard)
        {
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private Task StartAsync(CancellationToken cancellationToken) => response.HasStarted ? Task.CompletedTask : response.StartAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
