using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Turnpike.Edge.Metering;

/// <summary>
/// Counts the response body's bytes as they are written, standing between the request and the server's own body
/// feature rather than replacing <c>Response.Body</c>. Replacing the stream would put ASP.NET Core's stream feature in
/// front of the server's, whose completion flushes the headers first: a gRPC error answered trailers-only (one HEADERS
/// frame that ends the stream) would reach the client as headers, then an empty DATA frame, and clients other than
/// .NET's read that as a broken stream. Starting and completing stay the server's.
/// </summary>
internal sealed class CountedResponseBody : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private ByteCountingStream? _stream;
    private CountingPipeWriter? _writer;
    private long _sentFileBytes;

    private CountedResponseBody(IHttpResponseBodyFeature inner) => _inner = inner;

    /// <summary>Bytes written so far, whichever way they were written.</summary>
    public long Count => (_stream?.Count ?? 0) + (_writer?.Count ?? 0) + _sentFileBytes;

    public Stream Stream => _stream ??= new ByteCountingStream(_inner.Stream);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(_inner.Writer);

    /// <summary>Puts a counter in front of <paramref name="features"/>' response body from now on.</summary>
    public static CountedResponseBody Install(IFeatureCollection features)
    {
        var counted = new CountedResponseBody(features.GetRequiredFeature<IHttpResponseBodyFeature>());
        features.Set<IHttpResponseBodyFeature>(counted);
        return counted;
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await _inner.SendFileAsync(path, offset, count, cancellationToken);
        _sentFileBytes += count ?? new FileInfo(path).Length - offset;
    }

    public Task CompleteAsync() => _inner.CompleteAsync();

    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public long Count { get; private set; }

        public override void Advance(int bytes)
        {
            Count += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
