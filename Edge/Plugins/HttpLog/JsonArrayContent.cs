using System.Net;

namespace Turnpike.Edge.Plugins.HttpLog;

/// <summary>
/// A batch of log records sent as one JSON array, written straight from the records to the connection: a batch of 100
/// records is 100 KB or more, and joining it into one buffer first put two or three large-object-heap arrays per batch
/// on the garbage collector, whose full collections every proxied request then shared.
/// </summary>
internal sealed class JsonArrayContent(IReadOnlyList<byte[]> entries) : HttpContent
{
    private static readonly byte[] Open = "["u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();
    private static readonly byte[] Close = "]"u8.ToArray();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Open, cancellationToken);
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                await stream.WriteAsync(Comma, cancellationToken);
            }

            await stream.WriteAsync(entries[i], cancellationToken);
        }

        await stream.WriteAsync(Close, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 2 + Math.Max(0, entries.Count - 1);
        foreach (var entry in entries)
        {
            length += entry.Length;
        }

        return true;
    }
}
