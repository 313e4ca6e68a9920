using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Turnpike.Tests.Grpc.Echo;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Grpc;

/// <summary>A real edge (<c>--dev</c>) with an <c>h2c://</c> proxy listener, a plain and a TLS gRPC upstream.</summary>
public sealed class GrpcEdgeFixture : IAsyncLifetime
{
    internal TestCertificate Ca { get; } = TestCertificates.Ca("Upstream CA");

    internal EdgeNode Edge { get; private set; } = null!;

    internal GrpcUpstream Plain { get; private set; } = null!;

    internal GrpcUpstream Tls { get; private set; } = null!;

    internal int H2cPort { get; } = FreePorts.Next();

    internal int HttpPort { get; } = FreePorts.Next();

    internal GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Plain = await GrpcUpstream.StartPlainAsync();
        Tls = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(Ca, ["localhost"]));
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string> { ["Turnpike__Proxy__Urls"] = $"h2c://127.0.0.1:{H2cPort};http://127.0.0.1:{HttpPort}" });

        // Grpc.Net.Client speaks HTTP/2 with prior knowledge to an http:// address: the h2c listener.
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{H2cPort}");
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Plain is not null)
        {
            await Plain.DisposeAsync();
        }

        if (Tls is not null)
        {
            await Tls.DisposeAsync();
        }
    }
}

/// <summary>
/// gRPC through a real edge, configured through its admin API: every call kind, trailers, deadlines, plugin refusals
/// as gRPC statuses, no route, grpcs with the service's CA, and the calls in the billing meters.
/// </summary>
public sealed class GrpcEdgeTests(GrpcEdgeFixture fixture) : IClassFixture<GrpcEdgeFixture>
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly Echo.Echo.EchoClient _client = new(fixture.Channel);
    private readonly string _name = "grpc-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Every call of a test carries its name: routes match it as a header, so tests share the Echo path.</summary>
    private Metadata Tagged(params (string Key, string Value)[] extra)
    {
        var metadata = new Metadata { { "x-test", _name } };
        foreach (var (key, value) in extra)
        {
            metadata.Add(key, value);
        }

        return metadata;
    }

    /// <summary>A grpc(s) service, a route for this test's calls, plugins on the route; returns once the edge routes the calls.</summary>
    private Task RouteAsync(object? service = null, params object[] plugins) => RouteForAsync(["grpc", "grpcs"], service, plugins);

    private async Task RouteForAsync(string[] protocols, object? service, params object[] plugins)
    {
        await _admin.CreateAsync("/services", service ?? new { name = _name, protocol = "grpc", host = "127.0.0.1", port = fixture.Plain.Port });
        foreach (var plugin in plugins)
        {
            await _admin.CreateAsync($"/services/{_name}/plugins", plugin);
        }

        await _admin.CreateAsync($"/services/{_name}/routes", new
        {
            name = _name,
            protocols,
            paths = new[] { "/turnpike.test.Echo/" },
            headers = new Dictionary<string, string[]> { ["x-test"] = [_name] }, // grpc routes never strip their path
        });

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                await _client.UnaryAsync(new EchoRequest { Text = "ready?" }, Tagged(("apikey", "probe")));
                return;
            }
            catch (RpcException ex) when (ex.Status.Detail != ProxyErrorsNoRoute || DateTime.UtcNow > deadline)
            {
                return; // routed: a plugin's refusal is routed too
            }
            catch (RpcException)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task Every_call_kind_passes_through_the_edge_with_trailers_and_deadlines()
    {
        await RouteAsync();
        var unary = await _client.UnaryAsync(new EchoRequest { Text = "one" }, Tagged(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal("one", unary.Text);
        Assert.Equal("HTTP/2", unary.Seen["protocol"]);
        Assert.Contains("grpc-timeout", unary.Seen.Keys);

        using (var expand = _client.Expand(new ExpandRequest { Text = "s", Count = 20 }, Tagged()))
        {
            var texts = new List<string>();
            await foreach (var reply in expand.ResponseStream.ReadAllAsync())
            {
                texts.Add(reply.Text);
            }

            Assert.Equal(20, texts.Count);
        }

        using (var collect = _client.Collect(Tagged()))
        {
            await collect.RequestStream.WriteAsync(new EchoRequest { Text = "x" });
            await collect.RequestStream.WriteAsync(new EchoRequest { Text = "y" });
            await collect.RequestStream.CompleteAsync();
            Assert.Equal("x,y", (await collect.ResponseAsync).Text);
        }

        using (var chat = _client.Chat(Tagged()))
        {
            for (var i = 0; i < 3; i++)
            {
                await chat.RequestStream.WriteAsync(new EchoRequest { Text = $"{i}" });
                Assert.True(await chat.ResponseStream.MoveNext());
                Assert.Equal($"re: {i}", chat.ResponseStream.Current.Text);
            }

            await chat.RequestStream.CompleteAsync();
            Assert.False(await chat.ResponseStream.MoveNext());
        }

        var failed = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FailAsync(new FailRequest { Code = (int)StatusCode.AlreadyExists, Message = "taken", Trailer = "t" }, Tagged()));
        Assert.Equal((StatusCode.AlreadyExists, "taken", "t"), (failed.StatusCode, failed.Status.Detail, failed.Trailers.GetValue("x-echo-trailer")));

        var late = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.SlowAsync(new SlowRequest { DelayMs = 10_000 }, Tagged(), deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
    }

    private const string ProxyErrorsNoRoute = "no Route matched with those values";

    [Fact]
    public async Task A_status_the_upstream_answers_trailers_only_reaches_a_c_core_client_with_its_message_and_trailers()
    {
        // grpcio (C-core, as Go's and Java's clients) needs a trailers-only answer to stay one HEADERS frame ending the
        // stream; Grpc.Net.Client forgives headers then an empty DATA frame, so this call is made from Python.
        await RouteAsync();
        var request = new FailRequest { Code = (int)StatusCode.FailedPrecondition, Message = "not yet", Trailer = "why" };
        var script = Path.Combine(Path.GetTempPath(), $"turnpike-grpc-{_name}.py");
        await File.WriteAllTextAsync(script, """
            import json, sys, grpc
            target, method, body, test = sys.argv[1:5]
            channel = grpc.insecure_channel(target)
            call = channel.unary_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            try:
                call(bytes.fromhex(body), metadata=(("x-test", test),), timeout=20)
                print(json.dumps({"code": 0}))
            except grpc.RpcError as e:
                print(json.dumps({"code": e.code().value[0], "details": e.details(), "trailer": dict(e.trailing_metadata() or ()).get("x-echo-trailer")}))
            """);
        try
        {
            var (exitCode, output, error) = await ToolProcess.RunAsync(
                "/usr/bin/python3", script, $"127.0.0.1:{fixture.H2cPort}", "/turnpike.test.Echo/Fail", Convert.ToHexString(request.ToByteArray()), _name);
            Assert.True(exitCode == 0, error);
            var answer = System.Text.Json.Nodes.JsonNode.Parse(output)!;
            Assert.Equal((int)StatusCode.FailedPrecondition, answer["code"]!.GetValue<int>());
            Assert.Equal("not yet", answer["details"]!.GetValue<string>());
            Assert.Equal("why", answer["trailer"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_grpc_route_answers_other_requests_as_kong_does()
    {
        await RouteForAsync(["grpcs"], null);
        using var http2 = new HttpClient();
        using var json = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{fixture.H2cPort}/turnpike.test.Echo/Unary")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };
        json.Headers.Add("x-test", _name);
        using var notGrpc = await http2.SendAsync(json);
        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, notGrpc.StatusCode);
        Assert.Equal("Non-gRPC request matched gRPC route", (await notGrpc.Content.ReadAsStringAsync()).Split('"')[3]);

        using var http1 = new HttpClient();
        using var overHttp1 = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{fixture.HttpPort}/turnpike.test.Echo/Unary") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        overHttp1.Content.Headers.ContentType = new("application/grpc");
        overHttp1.Headers.Add("x-test", _name);
        using var upgrade = await http1.SendAsync(overHttp1);
        Assert.Equal(System.Net.HttpStatusCode.UpgradeRequired, upgrade.StatusCode);
        Assert.Equal("HTTP/2", upgrade.Headers.Upgrade.ToString());
        Assert.Contains("Please use HTTP2 protocol", await upgrade.Content.ReadAsStringAsync());

        // A cleartext call to a grpcs-only route: Kong's CANCELLED, never forwarded.
        var cleartext = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }, Tagged()));
        Assert.Equal((StatusCode.Cancelled, "gRPC request matched gRPCs route"), (cleartext.StatusCode, cleartext.Status.Detail));
    }

    [Fact]
    public async Task A_call_no_route_matches_is_unimplemented()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }, Tagged()));
        Assert.Equal(StatusCode.Unimplemented, failure.StatusCode);
        Assert.Equal("no Route matched with those values", failure.Status.Detail);
    }

    [Fact]
    public async Task Key_auth_refusing_a_call_is_unauthenticated_and_a_valid_key_passes()
    {
        await RouteAsync(null, new { name = "key-auth" });
        await _admin.CreateAsync("/consumers", new { username = _name });
        await _admin.CreateAsync($"/consumers/{_name}/key-auth", new { key = _name + "-key" });

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }, Tagged()));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("No API key found in request", refused.Status.Detail);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                var reply = await _client.UnaryAsync(new EchoRequest { Text = "in" }, Tagged(("apikey", _name + "-key")));
                Assert.Equal(_name, reply.Seen["x-consumer-username"]);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // the credential is still on its way to the proxy
            }
        }
    }

    [Fact]
    public async Task Rate_limiting_a_call_is_resource_exhausted()
    {
        await RouteAsync(null, new { name = "rate-limiting", config = new { minute = 3, policy = "local" } });
        var outcomes = new List<StatusCode>();
        for (var i = 0; i < 5; i++)
        {
            try
            {
                await _client.UnaryAsync(new EchoRequest { Text = "x" }, Tagged());
                outcomes.Add(StatusCode.OK);
            }
            catch (RpcException ex)
            {
                outcomes.Add(ex.StatusCode);
                Assert.Equal("API rate limit exceeded", ex.Status.Detail);
            }
        }

        Assert.Contains(StatusCode.ResourceExhausted, outcomes);
        Assert.True(outcomes.Count(o => o == StatusCode.OK) <= 3, string.Join(",", outcomes));
    }

    [Fact]
    public async Task A_grpcs_upstream_is_verified_and_one_the_system_does_not_trust_is_unavailable()
    {
        // Kong takes the TLS fields on https services only: a grpcs upstream is verified against the system's roots.
        await RouteAsync(new { name = _name, protocol = "grpcs", host = "localhost", port = fixture.Tls.Port });
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new EchoRequest { Text = "x" }, Tagged()));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal("An invalid response was received from the upstream server", failure.Status.Detail);
    }

    [Fact]
    public async Task Calls_are_metered_like_any_request()
    {
        await RouteAsync();
        for (var i = 0; i < 4; i++)
        {
            await _client.UnaryAsync(new EchoRequest { Text = "metered" }, Tagged());
        }

        var range = $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long requests;
        do
        {
            await Task.Delay(200);
            var (status, usage) = await _admin.GetJsonAsync($"/billing/usage?service={_name}&{range}");
            Assert.Equal(200, status);
            requests = usage!["total"]!["requests"]!.GetValue<long>();
        }
        while (requests < 5 && DateTime.UtcNow < deadline);

        Assert.Equal(5, requests); // the readiness probe and four calls
    }
}
