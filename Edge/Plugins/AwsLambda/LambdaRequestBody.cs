using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// The client's body as the invocation carries it: read whole, up to what one Lambda invocation can take
/// (<see cref="MaxBytes"/>, the synchronous payload limit). A larger body is "large" in Kong's sense: left out
/// with <c>skip_large_bodies</c>, otherwise refused (413), since Lambda would refuse it anyway.
/// </summary>
internal static class LambdaRequestBody
{
    /// <summary>Lambda's synchronous invocation payload limit, 6 MB.</summary>
    public const int MaxBytes = 6 * 1024 * 1024;

    /// <summary>The body (empty when none); <c>TooLarge</c> when it went over <see cref="MaxBytes"/>.</summary>
    public static async Task<(byte[] Body, bool TooLarge)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return ([], true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return ([], true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), false);
    }
}
