using System.Net;
using System.Text;
using Turnpike.Edge.Proxy.Http1;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Proxy;

/// <summary>
/// Turnpike's HTTP/1.1 client against an upstream that writes exactly the bytes each test scripts: framing both ways,
/// interim answers, trailers, upgrades, connections closed or reset under it, and pooled connections reused only
/// when they can be.
/// </summary>
public sealed class Http1UpstreamHandlerTests : IDisposable
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private readonly Http1UpstreamHandler _handler = new(new SocketsHttpHandler(), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeProvider.System);
    private readonly HttpMessageInvoker _client;

    public Http1UpstreamHandlerTests() => _client = new HttpMessageInvoker(_handler);

    public void Dispose() => _client.Dispose();

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(ScriptedUpstream upstream, string path = "/", HttpMethod? method = null, HttpContent? content = null)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, upstream.Url + path) { Content = content }, CancellationToken.None);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_chunked_answer_is_read_whole_with_its_trailers_and_the_connection_carries_the_next_request()
    {
        await using var upstream = ScriptedUpstream.Answering(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Sum: 42\r\n\r\n");
        for (var i = 0; i < 3; i++)
        {
            var (response, body) = await GetAsync(upstream);
            Assert.Equal("hello world", body);
            Assert.Equal("42", response.TrailingHeaders.NonValidated["X-Sum"].ToString());
        }

        Assert.Equal(1, upstream.Connections);
        Assert.Equal(1, _handler.IdleConnections("127.0.0.1", upstream.Port));
    }

    [Fact]
    public async Task Interim_answers_are_passed_over_and_the_final_answer_is_returned()
    {
        await using var upstream = ScriptedUpstream.Answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + Ok);
        var (response, body) = await GetAsync(upstream);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body);
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task Connection_close_and_HTTP_1_0_answers_are_never_reused()
    {
        await using var closing = ScriptedUpstream.Answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        await GetAsync(closing);
        await GetAsync(closing);
        Assert.Equal(2, closing.Connections);

        await using var old = ScriptedUpstream.Answering("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        await GetAsync(old);
        await GetAsync(old);
        Assert.Equal(2, old.Connections);
    }

    [Fact]
    public async Task An_answer_without_framing_runs_to_the_connection_end()
    {
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of ");
            await connection.WriteAsync("this");
            await connection.ShutdownAsync();
        });
        Assert.Equal("all of this", (await GetAsync(upstream)).Body);
        Assert.Equal("all of this", (await GetAsync(upstream)).Body);
        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task A_HEAD_answer_and_a_204_have_no_body_and_keep_the_connection()
    {
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is { } request)
            {
                await connection.WriteAsync(request.Head.StartsWith("HEAD", StringComparison.Ordinal)
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                    : "HTTP/1.1 204 No Content\r\n\r\n");
            }
        });
        var (head, body) = await GetAsync(upstream, method: HttpMethod.Head);
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        Assert.Equal("", body);
        Assert.Equal(HttpStatusCode.NoContent, (await GetAsync(upstream)).Response.StatusCode);
        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task Request_bodies_go_with_their_length_or_in_chunks()
    {
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is { } request)
            {
                var framing = request.Head.Contains("Transfer-Encoding: chunked", StringComparison.Ordinal) ? "chunked" : "length";
                var answer = $"{framing}:{request.Body}";
                await connection.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {answer.Length}\r\n\r\n{answer}");
            }
        });
        Assert.Equal("length:abc", (await GetAsync(upstream, method: HttpMethod.Post, content: new StringContent("abc"))).Body);
        var streamed = new StreamContent(new NonSeekableStream(Encoding.ASCII.GetBytes(new string('x', 40_000)))); // no length known: chunks
        Assert.Equal("chunked:" + new string('x', 40_000), (await GetAsync(upstream, method: HttpMethod.Put, content: streamed)).Body);
        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task An_upstream_that_answers_before_reading_the_body_is_heard()
    {
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            await connection.WriteAsync("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbig");
            await connection.ShutdownAsync();
        });
        using var stop = new CancellationTokenSource();
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, upstream.Url) { Content = new StreamContent(new SlowStream()) }, stop.Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("big", await response.Content.ReadAsStringAsync());
        await stop.CancelAsync(); // the body that was never wanted stops
    }

    [Fact]
    public async Task A_pooled_connection_the_upstream_closed_while_idle_is_replaced_and_the_request_does_not_fail()
    {
        var closed = new SemaphoreSlim(0);
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            if (await connection.ReadRequestAsync() is not null)
            {
                await connection.WriteAsync(Ok);
                var shutdown = connection.ShutdownAsync(); // the upstream's keep-alive timeout, as the client sits idle
                closed.Release();
                await shutdown;
            }
        });
        await GetAsync(upstream);
        Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("ok", (await GetAsync(upstream)).Body); // a GET is sent again on a new connection
        Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("ok", (await GetAsync(upstream, method: HttpMethod.Post, content: new StringContent("x"))).Body); // a body is never sent on a closed one
        Assert.Equal(3, upstream.Connections);
    }

    [Fact]
    public async Task A_body_left_unread_or_cut_short_closes_its_connection_and_the_next_request_gets_a_new_one()
    {
        var first = true;
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
                if (first)
                {
                    first = false;
                    await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
                    await connection.ShutdownAsync();
                    return;
                }

                await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + new string('y', 100_000));
            }
        });

        var cut = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, upstream.Url), CancellationToken.None);
        var error = await Assert.ThrowsAsync<HttpIOException>(async () => await (await cut.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null));
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);

        var unread = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, upstream.Url), CancellationToken.None);
        unread.Dispose(); // the client went away: the rest of the body is never read
        Assert.Equal(100_000, (await GetAsync(upstream)).Body.Length);
        Assert.Equal(3, upstream.Connections);
    }

    [Fact]
    public async Task A_101_answer_makes_the_connection_a_stream_both_ways()
    {
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello ");
            var sent = await connection.ReadToEndAsync();
            await connection.WriteAsync("got:" + sent);
        });
        var request = new HttpRequestMessage(HttpMethod.Get, upstream.Url);
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "echo");
        using var response = await _client.SendAsync(request, CancellationToken.None);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[6];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal("hello ", Encoding.ASCII.GetString(buffer));
        Assert.True(stream.CanWrite);
        await stream.WriteAsync("ping"u8.ToArray());
    }

    [Fact]
    public async Task Cancellation_while_waiting_for_an_answer_is_an_OperationCanceledException_and_the_connection_is_dropped()
    {
        var calls = 0;
        var arrived = new TaskCompletionSource();
        await using var upstream = ScriptedUpstream.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    await connection.WriteAsync(Ok);
                }
                else
                {
                    arrived.SetResult(); // and never answer it
                }
            }
        });
        using var timeout = new CancellationTokenSource();
        var pending = _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, upstream.Url), timeout.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal("ok", (await GetAsync(upstream)).Body);
        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_error()
    {
        var port = FreePorts.Next();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/"), CancellationToken.None));
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
    }

    [Fact]
    public async Task A_connect_that_outlasts_the_connect_timeout_is_canceled_with_a_TimeoutException_inside()
    {
        // A listener whose accept queue is full: Linux drops further SYNs, so a connect waits as for a dead host.
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<System.Net.Sockets.Socket>();
        try
        {
            while (true)
            {
                var filler = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                fillers.Add(filler);
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                try
                {
                    await filler.ConnectAsync(endpoint, wait.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full
                }

                Assert.True(fillers.Count < 100, "the accept queue never filled");
            }

            using var handler = new Http1UpstreamHandler(new SocketsHttpHandler(), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(60), TimeProvider.System);
            using var client = new HttpMessageInvoker(handler);
            var error = await Assert.ThrowsAsync<TaskCanceledException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{endpoint.Port}/"), CancellationToken.None));
            Assert.IsType<TimeoutException>(error.InnerException);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n")]
    public async Task A_malformed_chunked_body_fails_the_read(string answer)
    {
        await using var upstream = ScriptedUpstream.Answering(answer);
        var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, upstream.Url), CancellationToken.None);
        var error = await Assert.ThrowsAsync<HttpIOException>(async () => await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null));
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public async Task A_head_longer_than_64_KB_is_refused()
    {
        await using var upstream = ScriptedUpstream.Answering("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 70_000) + "\r\nContent-Length: 0\r\n\r\n");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, upstream.Url), CancellationToken.None));
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    /// <summary>A request body that never ends on its own: one byte, then nothing until the copy is canceled.</summary>
    private sealed class SlowStream : Stream
    {
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            _sent = true;
            buffer.Span[0] = (byte)'x';
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose length is not known before it is read, as a client's chunked upload.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
