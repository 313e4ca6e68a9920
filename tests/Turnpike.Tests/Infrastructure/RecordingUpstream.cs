using System.Collections.Concurrent;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 upstream that records the exact bytes of every request it receives (head and body, as Latin-1 text)
/// and answers each with <c>200 ok</c>: what crossed the gateway, byte for byte, with no HTTP stack in between to
/// tidy it up. It frames requests by Content-Length or chunked encoding, as a real server would, so a smuggled
/// second request shows up as a second record.
/// </summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly ScriptedUpstream _upstream;

    private RecordingUpstream() => _upstream = ScriptedUpstream.Start(RecordAsync);

    public int Port => _upstream.Port;

    public string Url => _upstream.Url;

    /// <summary>Every request received, in order, as raw text.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static RecordingUpstream Start() => new();

    /// <summary>The requests whose request line contains <paramref name="marker"/>.</summary>
    public IReadOnlyList<string> RequestsFor(string marker) =>
        [.. Requests.Where(r => r[..Math.Max(r.IndexOf('\n', StringComparison.Ordinal), 0)].Contains(marker, StringComparison.Ordinal))];

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();

    private async Task RecordAsync(ScriptedUpstream.Connection connection)
    {
        while (await connection.ReadRequestAsync() is { } request)
        {
            Requests.Enqueue(request);
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
        }
    }
}
