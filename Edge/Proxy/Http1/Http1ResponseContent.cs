using System.Net;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>An upstream answer's content: its body read from the connection as the reader asks (<see cref="Http1ResponseBody"/>).</summary>
internal sealed class Http1ResponseContent : HttpContent
{
    public Stream Body { get; set; } = Stream.Null;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Body.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        Body.CopyToAsync(stream, cancellationToken);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(Body);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => Task.FromResult(Body);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // Content-Length, when the upstream sent one, is in the headers
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Body.Dispose();
        }

        base.Dispose(disposing);
    }
}
