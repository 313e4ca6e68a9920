using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Turnpike.Edge.Grpc;

/// <summary>
/// The gateway's own answer to a gRPC call: a trailers-only response (HTTP 200, <c>content-type: application/grpc</c>,
/// <c>grpc-status</c> and <c>grpc-message</c> in the headers, no body), which every gRPC client reads as the call's
/// status. A JSON body or a 4xx would only give the client an opaque "bad HTTP status" instead.
/// </summary>
internal static class GrpcAnswer
{
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    private const int MaxMessageBytes = 1024;

    /// <summary>Answers the call with the gRPC status for <paramref name="httpStatus"/> and <paramref name="message"/>.</summary>
    public static Task WriteAsync(HttpContext context, int httpStatus, string message) =>
        WriteStatusAsync(context, GrpcStatus.FromHttpStatus(httpStatus), message);

    /// <summary>Answers the call with gRPC status <paramref name="code"/> and <paramref name="message"/>.</summary>
    public static Task WriteStatusAsync(HttpContext context, int code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.ContentLength = null;
        var headers = response.Headers;
        headers.Remove("Content-Encoding");
        headers[StatusHeader] = GrpcStatus.Text(code);
        headers[MessageHeader] = GrpcMessage.Encode(message);
        return Task.CompletedTask; // no body: HTTP/2 ends the stream with these headers
    }

    /// <summary>True once the response is already a gRPC answer (written through <see cref="WriteAsync"/>).</summary>
    public static bool IsWritten(HttpResponse response) => response.Headers.ContainsKey(StatusHeader);

    /// <summary>
    /// The message of an answer written for HTTP clients: Kong's <c>{"message": …}</c> (or OpenAI's
    /// <c>{"error": {"message": …}}</c>), else a short text body, else the status's reason phrase.
    /// </summary>
    public static string MessageOf(int httpStatus, string? contentType, ReadOnlySpan<byte> body)
    {
        if (body.Length > 0 && contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && JsonMessage(body) is { Length: > 0 } message)
        {
            return message;
        }

        if (body.Length > 0 && body.Length <= MaxMessageBytes && (contentType is null || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)))
        {
            return Encoding.UTF8.GetString(body).Trim();
        }

        return ReasonPhrases.GetReasonPhrase(httpStatus) is { Length: > 0 } reason ? reason : "Gateway error " + httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? JsonMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString();
            }

            return root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.String ? inner.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
