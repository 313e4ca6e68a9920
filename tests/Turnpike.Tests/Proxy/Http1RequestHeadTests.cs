using System.Text;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy.Http1;
using Xunit;

namespace Turnpike.Tests.Proxy;

/// <summary>The bytes Turnpike's HTTP/1.1 client writes for a request's line and header fields.</summary>
[Fast]
public sealed class Http1RequestHeadTests
{
    private static (string Text, Http1BodyFraming Framing, long Length) Write(HttpRequestMessage request)
    {
        using var head = new PooledBufferWriter(16);
        var (framing, length) = Http1RequestHead.Write(request, head);
        return (Encoding.Latin1.GetString(head.WrittenMemory.Span), framing, length);
    }

    [Fact]
    public void The_path_goes_as_escaped_and_Host_is_the_authority_without_a_default_port()
    {
        var (text, framing, _) = Write(new HttpRequestMessage(HttpMethod.Get, new Uri("http://up.test/a%2Fb%20c?q=%C3%A9")));
        Assert.Equal("GET /a%2Fb%20c?q=%C3%A9 HTTP/1.1\r\nHost: up.test\r\n\r\n", text);
        Assert.Equal(Http1BodyFraming.None, framing);
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n", Write(new HttpRequestMessage(HttpMethod.Get, "http://[::1]:8080/")).Text);
    }

    [Fact]
    public void A_Host_header_wins_and_header_bytes_pass_as_Latin_1()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "http://10.0.0.1:81/");
        request.Headers.Host = "api.test";
        request.Headers.TryAddWithoutValidation("X-Name", "jos\u00e9");
        var (text, _, _) = Write(request);
        Assert.Equal("GET / HTTP/1.1\r\nHost: api.test\r\nX-Name: jos\u00e9\r\n\r\n", text);
    }

    [Fact]
    public void A_body_of_known_length_says_so_and_one_of_unknown_length_goes_chunked_and_client_framing_never_passes()
    {
        var known = new HttpRequestMessage(HttpMethod.Post, "http://up.test/") { Content = new ByteArrayContent([1, 2, 3]) };
        known.Headers.TryAddWithoutValidation("Transfer-Encoding", "chunked");
        var (text, framing, length) = Write(known);
        Assert.Equal((Http1BodyFraming.ContentLength, 3L), (framing, length));
        Assert.Contains("Content-Length: 3\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", text, StringComparison.Ordinal);

        var streamed = new HttpRequestMessage(HttpMethod.Put, "http://up.test/") { Content = new UnknownLengthContent() };
        (text, framing, _) = Write(streamed);
        Assert.Equal(Http1BodyFraming.Chunked, framing);
        Assert.Contains("Transfer-Encoding: chunked\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Length", text, StringComparison.Ordinal);

        Assert.Contains("Content-Length: 0\r\n", Write(new HttpRequestMessage(HttpMethod.Post, "http://up.test/")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    public void A_header_value_with_CR_LF_or_NUL_is_never_written(string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "http://up.test/");
        request.Headers.TryAddWithoutValidation("X-Bad", value);
        Assert.Throws<HttpRequestException>(() => Write(request));
    }

    /// <summary>A body whose length nobody knows before it is sent (a client's chunked upload).</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(new byte[] { 1 }).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
