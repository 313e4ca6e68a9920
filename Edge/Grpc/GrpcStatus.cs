using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Grpc;

/// <summary>
/// gRPC status codes and the one mapping from the gateway's HTTP statuses to them. It is the table gRPC gives for
/// HTTP statuses (doc/http-grpc-status-mapping.md: 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404
/// UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN) with three deliberate changes, because the
/// gateway knows more than a status line says: its 504 means the upstream ran out of time (DEADLINE_EXCEEDED, what
/// the client's own deadline gives), its 429 is a rate limit (RESOURCE_EXHAUSTED, gRPC's code for an exhausted
/// quota, so clients do not retry it at once as they would UNAVAILABLE), and its 413 a message too large
/// (RESOURCE_EXHAUSTED, what gRPC servers answer to an oversized message).
/// </summary>
internal static class GrpcStatus
{
    public const int Ok = 0;
    public const int Cancelled = 1;
    public const int Unknown = 2;
    public const int DeadlineExceeded = 4;
    public const int PermissionDenied = 7;
    public const int ResourceExhausted = 8;
    public const int Unimplemented = 12;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;

    /// <summary>"0" … "16", the header values, made once.</summary>
    private static readonly string[] Texts = [.. Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static int FromHttpStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => Internal,
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => PermissionDenied,
        StatusCodes.Status404NotFound => Unimplemented,
        StatusCodes.Status413PayloadTooLarge => ResourceExhausted,
        StatusCodes.Status429TooManyRequests => ResourceExhausted,
        StatusCodes.Status502BadGateway => Unavailable,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        StatusCodes.Status504GatewayTimeout => DeadlineExceeded,
        _ => Unknown,
    };

    /// <summary>The <c>grpc-status</c> header value of a code.</summary>
    public static string Text(int code) => (uint)code < (uint)Texts.Length ? Texts[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
