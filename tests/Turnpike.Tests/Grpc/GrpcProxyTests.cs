using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Turnpike.RouteTable;
using Turnpike.Tests.Grpc.Echo;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Grpc;

/// <summary>
/// gRPC through the proxy pipeline, in process: a real gRPC client (Grpc.Net.Client, HTTP/2 with prior knowledge) to
/// the proxy, a real gRPC service behind it (h2c, or TLS for grpcs). Entities are given to the proxy directly.
/// </summary>
public sealed class GrpcProxyTests : IAsyncLifetime
{
    private const string EchoPath = "/turnpike.test.Echo/";
    private InProcessProxy _proxy = null!;
    private GrpcUpstream _upstream = null!;
    private GrpcChannel _channel = null!;
    private Echo.Echo.EchoClient _client = null!;

    public async Task InitializeAsync()
    {
        _proxy = await InProcessProxy.StartAsync();
        _upstream = await GrpcUpstream.StartPlainAsync();
        _channel = GrpcChannel.ForAddress(_proxy.Url);
        _client = new Echo.Echo.EchoClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _upstream.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    /// <summary>A grpc service on the plain upstream and a route for the Echo service; returns the route.</summary>
    private RouteEntity Route(ServiceEntity? service = null, params PluginEntity[] plugins)
    {
        service ??= Service();
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "echo", Protocols = ["grpc", "grpcs"], Paths = [EchoPath], StripPath = false, ServiceId = service.Id };
        _proxy.Upsert([service, route, .. plugins.Select(p => p with { RouteId = p.RouteId ?? route.Id })]);
        return route;
    }

    private ServiceEntity Service(string protocol = "grpc", int? port = null, int timeout = 60_000) =>
        new() { Id = Guid.NewGuid(), Name = "echo", Protocol = protocol, Host = "127.0.0.1", Port = port ?? _upstream.Port, ReadTimeout = timeout, WriteTimeout = timeout };

    [Fact]
    public async Task A_unary_call_reaches_an_h2c_upstream_over_http2_through_the_gateway()
    {
        Route();
        var reply = await _client.UnaryAsync(new EchoRequest { Text = "hello" });
        Assert.Equal("hello", reply.Text);
        Assert.Equal("HTTP/2", reply.Seen["protocol"]);
        Assert.Equal("http", reply.Seen["scheme"]);
        Assert.Equal("1.1 turnpike", reply.Seen["via"]);
        Assert.Equal("127.0.0.1", reply.Seen["x-forwarded-for"]);
    }

    [Fact]
    public async Task Server_streaming_replies_all_arrive_in_order()
    {
        Route();
        using var call = _client.Expand(new ExpandRequest { Text = "n", Count = 50 });
        var texts = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(reply.Text);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"n {i}"), texts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_requests_all_reach_the_upstream()
    {
        Route();
        using var call = _client.Collect();
        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        }

        await call.RequestStream.CompleteAsync();
        Assert.Equal("a,b,c", (await call.ResponseAsync).Text);
    }

    [Fact]
    public async Task Bidirectional_calls_flow_message_by_message_without_buffering()
    {
        Route();
        using var call = _client.Chat();
        for (var i = 0; i < 5; i++)
        {
            // Each reply is awaited before the next request is sent: a gateway that buffered either way would hang here.
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal($"re: m{i}", call.ResponseStream.Current.Text);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task The_upstreams_status_message_and_trailers_reach_the_client()
    {
        Route();
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FailAsync(new FailRequest { Code = (int)StatusCode.FailedPrecondition, Message = "not now, café", Trailer = "kept" }));
        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
        Assert.Equal("not now, café", failure.Status.Detail);
        Assert.Equal("kept", failure.Trailers.GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task The_clients_deadline_goes_to_the_upstream_and_an_expired_one_is_deadline_exceeded()
    {
        Route();
        var reply = await _client.UnaryAsync(new EchoRequest { Text = "timed" }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Matches("^[0-9]+[HMSmun]$", reply.Seen["grpc-timeout"]);

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.SlowAsync(new SlowRequest { DelayMs = 10_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
    }

    [Fact]
    public async Task An_upstream_slower_than_the_services_timeouts_is_deadline_exceeded()
    {
        Route(Service(timeout: 300));
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.SlowAsync(new SlowRequest { DelayMs = 5_000 }));
        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.Equal("The upstream server is timing out", failure.Status.Detail);
    }

    [Fact]
    public async Task A_call_no_route_matches_is_unimplemented_with_the_gateways_message()
    {
        Route();
        var unrouted = new Method<EchoRequest, EchoReply>(
            MethodType.Unary,
            "turnpike.test.Elsewhere",
            "Unary",
            Marshallers.Create<EchoRequest>(r => r.ToByteArray(), EchoRequest.Parser.ParseFrom),
            Marshallers.Create<EchoReply>(r => r.ToByteArray(), EchoReply.Parser.ParseFrom));
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.CreateCallInvoker().AsyncUnaryCall(unrouted, null, default, new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.Unimplemented, failure.StatusCode);
        Assert.Equal("no Route matched with those values", failure.Status.Detail);
    }

    [Fact]
    public async Task An_unreachable_upstream_is_unavailable()
    {
        Route(Service(port: FreePorts.Next()));
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal("An invalid response was received from the upstream server", failure.Status.Detail);
    }

    [Fact]
    public async Task Key_auth_refusing_a_call_is_unauthenticated_and_a_valid_key_passes_streams_untouched()
    {
        var consumer = new ConsumerEntity { Id = Guid.NewGuid(), Username = "grpc-user" };
        _proxy.Upsert(consumer, new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = consumer.Id, Key = "secret-key" });
        Route(null, _proxy.Plugin("key-auth"));

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("No API key found in request", refused.Status.Detail);

        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }, new Metadata { { "apikey", "nope" } }));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal("Invalid authentication credentials", wrong.Status.Detail);

        using var call = _client.Chat(new Metadata { { "apikey", "secret-key" } });
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "in" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("re: in", call.ResponseStream.Current.Text);
        Assert.Equal("grpc-user", call.ResponseStream.Current.Seen["x-consumer-username"]);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Theory]
    [InlineData(429, StatusCode.ResourceExhausted)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(418, StatusCode.Unknown)]
    public async Task A_plugins_answer_is_a_grpc_status_with_its_message(int status, StatusCode code)
    {
        Route(null, _proxy.Plugin("request-termination", new { status_code = status, message = "stopped here: 100%" }));
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(code, failure.StatusCode);
        Assert.Equal("stopped here: 100%", failure.Status.Detail);
    }

    [Fact]
    public async Task A_plugins_own_body_becomes_the_status_message_even_behind_a_buffering_plugin()
    {
        // response-transformer (800) holds the response body before request-termination (2) answers into it.
        Route(
            null,
            _proxy.Plugin("response-transformer", new { add = new { json = new[] { "x:1" } } }),
            _proxy.Plugin("request-termination", new { status_code = 403, content_type = "text/plain", body = "members only" }));
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        Assert.Equal("members only", failure.Status.Detail);
    }

    [Fact]
    public async Task A_gateway_answer_to_a_grpc_call_is_trailers_only_on_the_wire()
    {
        Route(
            null,
            _proxy.Plugin("response-transformer", new { add = new { json = new[] { "x:1" } } }),
            _proxy.Plugin("request-termination", new { status_code = 401, message = "who are you? é" }));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_proxy.Url}{EchoPath}Unary")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]), // one empty message
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("16", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Equal("who are you? %C3%A9", Assert.Single(response.Headers.GetValues("grpc-message")));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync()); // no message: the status is the whole answer
    }

    [Fact]
    public async Task A_plain_http_client_on_a_grpc_route_gets_kongs_415_before_any_plugin_runs()
    {
        Route(
            null,
            _proxy.Plugin("response-transformer", new { add = new { json = new[] { "x:1" } } }),
            _proxy.Plugin("request-termination", new { status_code = 403, message = "members only" }));
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.GetAsync($"{_proxy.Url}{EchoPath}Unary");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("""{"message":"Non-gRPC request matched gRPC route"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_grpcs_service_is_reached_over_tls_with_http2_and_the_service_host_as_sni()
    {
        var root = TestCertificates.Ca();
        await using var tls = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(root, ["localhost"]));
        var authority = new CaCertificateEntity { Id = Guid.NewGuid(), Cert = root.CertPem, CertDigest = root.Digest };
        _proxy.Upsert(authority);
        Route(Service("grpcs", tls.Port) with { Host = "localhost", CaCertificates = [authority.Id] });

        var reply = await _client.UnaryAsync(new EchoRequest { Text = "secure" });
        Assert.Equal("secure", reply.Text);
        Assert.Equal("HTTP/2", reply.Seen["protocol"]);
        Assert.Equal("https", reply.Seen["scheme"]);
        Assert.Equal("localhost", reply.Seen["sni"]);
    }
}
