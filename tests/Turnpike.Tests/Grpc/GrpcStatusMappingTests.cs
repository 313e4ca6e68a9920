using System.Text;
using Turnpike.Edge.Grpc;
using Xunit;

namespace Turnpike.Tests.Grpc;

/// <summary>The one mapping from the gateway's HTTP answers to gRPC statuses, and the <c>grpc-message</c> encoding.</summary>
[Fast]
public sealed class GrpcStatusMappingTests
{
    [Theory]
    [InlineData(400, 13)] // INTERNAL, as gRPC's HTTP mapping says
    [InlineData(401, 16)] // UNAUTHENTICATED
    [InlineData(403, 7)] // PERMISSION_DENIED
    [InlineData(404, 12)] // UNIMPLEMENTED: no route is no such method
    [InlineData(413, 8)] // RESOURCE_EXHAUSTED: what gRPC servers answer to an oversized message
    [InlineData(429, 8)] // RESOURCE_EXHAUSTED: a rate limit is an exhausted quota, not an outage
    [InlineData(502, 14)] // UNAVAILABLE
    [InlineData(503, 14)] // UNAVAILABLE
    [InlineData(504, 4)] // DEADLINE_EXCEEDED: the upstream ran out of time
    [InlineData(500, 2)] // UNKNOWN for everything else
    [InlineData(426, 2)]
    [InlineData(408, 2)]
    [InlineData(301, 2)]
    [InlineData(200, 2)] // a plugin's 200 is still not a gRPC reply
    public void Http_statuses_map_to_grpc_codes(int http, int grpc) => Assert.Equal(grpc, GrpcStatus.FromHttpStatus(http));

    [Fact]
    public void Printable_ascii_messages_are_sent_as_they_are_without_a_copy()
    {
        const string message = "no Route matched with those values";
        Assert.Same(message, GrpcMessage.Encode(message));
    }

    [Theory]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("café", "caf%C3%A9")]
    [InlineData("line\r\nbreak", "line%0D%0Abreak")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("\u007f", "%7F")]
    [InlineData("日本", "%E6%97%A5%E6%9C%AC")]
    [InlineData("", "")]
    public void Everything_outside_printable_ascii_and_the_percent_sign_is_percent_encoded_utf8(string message, string encoded) =>
        Assert.Equal(encoded, GrpcMessage.Encode(message));

    [Fact]
    public void An_encoded_message_is_always_a_valid_header_value()
    {
        var all = new string([.. Enumerable.Range(0, 0x800).Select(i => (char)i)]);
        var encoded = GrpcMessage.Encode(all);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/GRPC;charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/grpc-web-text", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_calls_are_told_by_their_content_type(string? contentType, bool grpc) => Assert.Equal(grpc, GrpcRequest.IsGrpcContentType(contentType));

    [Theory]
    [InlineData(401, "application/json; charset=utf-8", """{"message":"No API key found in request"}""", "No API key found in request")]
    [InlineData(400, "application/json", """{"error":{"message":"bad request","type":"invalid_request_error"}}""", "bad request")]
    [InlineData(403, "text/plain", "  go away\n", "go away")]
    [InlineData(503, "application/json", "[1,2]", "Service Unavailable")]
    [InlineData(418, "application/octet-stream", "\u0001\u0002", "I'm a teapot")]
    [InlineData(429, null, "", "Too Many Requests")]
    public void A_plugins_http_answer_gives_its_message_to_the_grpc_status(int status, string? contentType, string body, string message) =>
        Assert.Equal(message, GrpcAnswer.MessageOf(status, contentType, Encoding.UTF8.GetBytes(body)));
}
