using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>Reading AWS's answers within a size bound, and the reason an error answer gives.</summary>
internal static partial class AwsResponses
{
    /// <summary>The body, at most <paramref name="maxBytes"/>; more is an <see cref="AwsCallException"/> (AWS never answers that much).</summary>
    public static async Task<byte[]> ReadAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new AwsCallException($"the answer is larger than {maxBytes} bytes");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new AwsCallException($"the answer is larger than {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static async Task<string> ReadTextAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await ReadAsync(response, maxBytes, cancellationToken));

    /// <summary>
    /// AWS's own reason from an error body (JSON <c>Message</c>/<c>message</c>, or XML <c>&lt;Message&gt;</c>), cut short and
    /// stripped of control characters so it can go in a log line.
    /// </summary>
    public static string ErrorOf(string body)
    {
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("Message") || property.NameEquals("message"))
                    {
                        message = property.Value.ToString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            var match = XmlMessage().Match(body);
            message = match.Success ? match.Groups[1].Value : null;
        }

        message ??= "no reason given";
        var clean = new StringBuilder(Math.Min(message.Length, 300));
        foreach (var c in message.AsSpan(0, Math.Min(message.Length, 300)))
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        return clean.ToString();
    }

    [GeneratedRegex("<Message>([^<]{0,300})</Message>", RegexOptions.None, matchTimeoutMilliseconds: 50)]
    private static partial Regex XmlMessage();
}
