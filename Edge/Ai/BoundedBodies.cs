namespace Turnpike.Edge.Ai;

/// <summary>Reads a body whole, up to a limit: a client's body for an AI transformer, an LLM's answer, an upstream's gzip.</summary>
internal static class BoundedBodies
{
    /// <summary>The body's bytes; null when it is larger than <paramref name="maxBytes"/> (0: no limit).</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? declared, int maxBytes, CancellationToken cancellationToken)
    {
        var limit = maxBytes == 0 ? int.MaxValue : maxBytes;
        if (declared > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
