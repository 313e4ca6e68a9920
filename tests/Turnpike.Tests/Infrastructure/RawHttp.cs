using System.Net.Sockets;
using System.Text;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// Sends bytes no well-behaved HTTP client would (bad framing, bare LF, raw escapes in the request line) over a
/// plain socket and reads the first answer: what an attacker's client sees.
/// </summary>
internal static class RawHttp
{
    /// <summary>The status of the first response and its text; status 0 when the server closed without answering.</summary>
    public static async Task<(int Status, string Text)> SendAsync(int port, string request, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        return await ReadResponseAsync(stream, timeout ?? TimeSpan.FromSeconds(20));
    }

    /// <summary>Reads one response (head, and a body of its Content-Length) or until the connection closes.</summary>
    public static async Task<(int Status, string Text)> ReadResponseAsync(Stream stream, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var text = received.ToString();
                var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd >= 0)
                {
                    var length = text[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
                        ? int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                        : 0;
                    if (text.Length >= headEnd + 4 + length)
                    {
                        break;
                    }
                }

                var read = await stream.ReadAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
        }

        var response = received.ToString();
        var status = response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (status, response);
    }
}
