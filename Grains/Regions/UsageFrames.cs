using System.Buffers.Binary;
using Orleans.Serialization;
using Turnpike.Metering;

namespace Turnpike.Regions;

/// <summary>
/// How a region's usage crosses the link: one frame per period (a 4-byte big-endian length, then the serialized
/// <see cref="UsagePeriod"/>), in ascending period order, and an empty frame at the end. The end frame is what tells a
/// complete answer from one cut short (a peer that died mid-stream), so a report never passes a truncated region off as whole.
/// </summary>
public static class UsageFrames
{
    /// <summary>The largest period frame read: about two million rows, far above a period of 100,000 consumers.</summary>
    public const int MaxFrame = 256 * 1024 * 1024;

    public static async Task WriteAsync(Stream stream, Serializer serializer, UsagePeriod? period, CancellationToken cancellationToken)
    {
        var body = period is null ? [] : serializer.SerializeToArray(period);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, body.Length);
        await stream.WriteAsync(length, cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The periods of a stream, checked; throws <see cref="InvalidDataException"/> when it ends before its end frame or a frame is too large.</summary>
    public static async IAsyncEnumerable<UsagePeriod> ReadAsync(Stream stream, Serializer serializer, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var header = new byte[4];
        while (true)
        {
            await ReadExactlyAsync(stream, header, cancellationToken);
            var length = BinaryPrimitives.ReadInt32BigEndian(header);
            if (length == 0)
            {
                yield break;
            }

            if (length is < 0 or > MaxFrame)
            {
                throw new InvalidDataException($"a usage frame of {length} bytes (at most {MaxFrame})");
            }

            var body = new byte[length];
            await ReadExactlyAsync(stream, body, cancellationToken);
            yield return serializer.Deserialize<UsagePeriod>(body) ?? throw new InvalidDataException("an empty usage frame");
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the usage stream ended before its end frame");
        }
    }
}
