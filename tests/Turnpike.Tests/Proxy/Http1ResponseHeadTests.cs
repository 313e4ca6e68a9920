using System.Net;
using System.Text;
using Turnpike.Edge.Proxy.Http1;
using Xunit;

namespace Turnpike.Tests.Proxy;

/// <summary>How Turnpike's HTTP/1.1 client reads an upstream's status line and header fields, and what it refuses.</summary>
[Fast]
public sealed class Http1ResponseHeadTests
{
    private static (Http1ResponseHead Head, HttpResponseMessage Response, HttpContent Content) Parse(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head);
        Assert.Equal(bytes.Length, Http1ResponseHead.Length(bytes));
        var response = new HttpResponseMessage();
        var content = new Http1ResponseContent();
        return (Http1ResponseHead.Parse(bytes, response, content), response, content);
    }

    [Fact]
    public void A_head_is_measured_to_its_empty_line_and_not_before_it_is_all_there()
    {
        var bytes = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody"u8.ToArray();
        Assert.Equal(bytes.Length - 4, Http1ResponseHead.Length(bytes));
        Assert.Equal(-1, Http1ResponseHead.Length("HTTP/1.1 200 OK\r\nA: b\r\n"u8));
        Assert.Equal(-1, Http1ResponseHead.Length("HTTP/1.1 200 OK\r\nA: b\r\n\r"u8));
        Assert.Equal(21, Http1ResponseHead.Length("HTTP/1.1 200 OK\nA:b\n\n"u8.ToArray().Concat("x"u8.ToArray()).ToArray())); // bare LF ends lines too
    }

    [Fact]
    public void Status_reason_version_and_headers_are_read_with_content_headers_on_the_content()
    {
        var (head, response, content) = Parse("HTTP/1.1 201 Made\r\nServer: up\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Caf: caf\u00e9\r\n\r\n");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Made", response.ReasonPhrase);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("up", response.Headers.Server.ToString());
        Assert.Equal("text/plain", content.Headers.ContentType!.MediaType);
        Assert.Equal(5, content.Headers.ContentLength);
        Assert.Equal("caf\u00e9", response.Headers.NonValidated["X-Caf"].ToString()); // the upstream's bytes as Latin-1, as Kestrel writes them back
        Assert.Equal(5, head.ContentLength);
        Assert.True(head.KeepsConnection);
    }

    [Fact]
    public void Chunked_wins_over_Content_Length_and_the_pair_closes_the_connection()
    {
        var (head, _, content) = Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
        Assert.True(head.Chunked);
        Assert.Null(head.ContentLength);
        Assert.Null(content.Headers.ContentLength);
        Assert.False(head.KeepsConnection);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false)]
    [InlineData("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 1\r\n\r\n", true)]
    public void Whether_the_connection_may_carry_another_request(string text, bool keeps)
    {
        Assert.Equal(keeps, Parse(text).Head.KeepsConnection);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", false)] // not chunked last: the body runs to the connection's end
    public void A_body_is_chunked_only_when_chunked_is_the_last_coding(string text, bool chunked)
    {
        var head = Parse(text).Head;
        Assert.Equal(chunked, head.Chunked);
        Assert.True(head.TransferEncoding);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")] // two lengths: which one frames the body?
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n")] // obs-fold
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n: a\r\n\r\n")]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    public void A_malformed_head_is_refused_as_an_invalid_response(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var error = Assert.Throws<HttpRequestException>(() => Http1ResponseHead.Parse(bytes, new HttpResponseMessage(), new Http1ResponseContent()));
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public void An_empty_line_where_the_status_line_belongs_is_refused()
    {
        Assert.Throws<HttpRequestException>(() => Http1ResponseHead.Length("\r\nHTTP/1.1 200 OK\r\n\r\n"u8));
    }
}
