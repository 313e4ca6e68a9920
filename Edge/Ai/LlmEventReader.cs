using System.Text;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Reads a provider's stream one event at a time: server-sent events (an <c>event:</c> name and <c>data:</c>
/// lines up to a blank line) or, for Ollama, one JSON object per line. Reads as the bytes arrive, holding only
/// the event at hand.
/// </summary>
internal sealed class LlmEventReader(Stream stream, bool lineDelimited) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);

    /// <summary>The next event's name (null when it has none) and data; null at the end of the stream.</summary>
    public async ValueTask<(string? Name, string Data)?> NextAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        StringBuilder? data = null;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (lineDelimited)
            {
                if (line.Length > 0)
                {
                    return (null, line);
                }

                continue;
            }

            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return (name, data.ToString());
                }

                name = null;
                continue;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(5);
                value = value.StartsWith(" ") ? value[1..] : value;
                (data ??= new StringBuilder()).Append(data.Length > 0 ? "\n" : "").Append(value);
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
        }

        return data is null ? null : (name, data.ToString());
    }

    public void Dispose() => _reader.Dispose();
}
