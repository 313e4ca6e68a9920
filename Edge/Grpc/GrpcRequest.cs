using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Grpc;

/// <summary>Tells a gRPC call from other requests by its content type, as gRPC servers do.</summary>
internal static class GrpcRequest
{
    private const string ContentType = "application/grpc";

    /// <summary>
    /// True for <c>application/grpc</c>, <c>application/grpc+proto</c>, <c>application/grpc;…</c>; not for gRPC-Web
    /// (<c>application/grpc-web</c>), whose status travels in the body and which this gateway passes as plain HTTP.
    /// </summary>
    public static bool Is(HttpRequest request) => IsGrpcContentType(request.ContentType);

    public static bool IsGrpcContentType(string? contentType) =>
        contentType is { Length: >= 16 }
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');
}
