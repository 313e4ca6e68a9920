using System.Buffers;
using System.Text;

namespace Turnpike.Edge.Ai;

/// <summary>
/// The bodies of one LLM call for the log's <c>ai.*.payload</c> (<c>log_payloads</c>): the request as sent, the
/// response as the client got it (for a stream, its events' text), each cut at <see cref="MaxBytes"/> so a log
/// entry stays small whatever the call's size.
/// </summary>
internal sealed class AiPayloadCapture(string? request)
{
    /// <summary>The most of each body a log entry carries: 16 KiB of UTF-8.</summary>
    public const int MaxBytes = 16 * 1024;

    private readonly ArrayBufferWriter<byte> _response = new();

    public string? Request { get; } = request is null ? null : Cut(request);

    /// <summary>The response captured so far; null when none was.</summary>
    public string? Response => _response.WrittenCount == 0 ? null : Encoding.UTF8.GetString(_response.WrittenSpan);

    /// <summary>Adds bytes sent to the client, keeping the first <see cref="MaxBytes"/>.</summary>
    public void AddResponse(ReadOnlySpan<byte> bytes)
    {
        var room = MaxBytes - _response.WrittenCount;
        if (room > 0)
        {
            _response.Write(bytes[..Math.Min(room, bytes.Length)]);
        }
    }

    /// <summary><paramref name="text"/> when its UTF-8 fits <see cref="MaxBytes"/>; otherwise its first <see cref="MaxBytes"/> bytes (a character cut in two ends as U+FFFD).</summary>
    public static string Cut(string text)
    {
        if (text.Length <= MaxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= MaxBytes)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(bytes, 0, MaxBytes);
    }
}
