using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The proxy's own answers, in Kong's JSON shape <c>{"message": ...}</c> and with Kong's wording; to a gRPC call the
/// same answer as a gRPC status (<see cref="Grpc.GrpcAnswer"/>), decided here once for every caller.
/// </summary>
internal static class ProxyErrors
{
    public const string NoRoute = "no Route matched with those values";
    public const string NoService = "no Service found with those values";
    public const string NoPeer = "failure to get a peer from the ring-balancer";
    public const string BadGateway = "An invalid response was received from the upstream server";
    public const string GatewayTimeout = "The upstream server is timing out";
    public const string UseHttps = "Please use HTTPS protocol";
    public const string BadRequest = "Bad request";
    public const string Unexpected = "An unexpected error occurred";

    /// <summary>Kong's (nginx's) wording for a client's fault.</summary>
    public static string ForClientFault(int status) => status switch
    {
        StatusCodes.Status405MethodNotAllowed => "Method not allowed",
        StatusCodes.Status408RequestTimeout => "Request timeout",
        StatusCodes.Status411LengthRequired => "Length required",
        StatusCodes.Status413PayloadTooLarge => "Request size limit exceeded",
        StatusCodes.Status414UriTooLong => "URI too long",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "Request header or cookie too large",
        _ => BadRequest,
    };

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, int status, string message) =>
        Grpc.GrpcRequest.Is(context.Request)
            ? Grpc.GrpcAnswer.WriteAsync(context, status, message)
            : WriteJsonAsync(context, status, JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(message), JsonOptions));

    /// <summary>Answers <paramref name="status"/> with a JSON body, its length declared (a gRPC call: its <c>message</c> as the status's).</summary>
    public static Task WriteJsonAsync(HttpContext context, int status, byte[] body)
    {
        if (Grpc.GrpcRequest.Is(context.Request))
        {
            return Grpc.GrpcAnswer.WriteAsync(context, status, Grpc.GrpcAnswer.MessageOf(status, "application/json", body));
        }

        return WriteHttpJsonAsync(context, status, body);
    }

    /// <summary>Answers Kong's <c>{"message": …}</c> as JSON whatever the request was (a gRPC call over HTTP/1.1 can read no gRPC status).</summary>
    public static Task WriteHttpJsonAsync(HttpContext context, int status, string message) =>
        WriteHttpJsonAsync(context, status, JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(message), JsonOptions));

    private static Task WriteHttpJsonAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private sealed record ErrorBody(string Message);
}
