using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// The proxy as an attacker meets it: raw request lines and headers sent over a socket, and an upstream that records
/// the exact bytes that crossed. Each test names the class of attack it closes.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class HostileProxyTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "h-" + Guid.NewGuid().ToString("N")[..8];
    private RecordingUpstream _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = RecordingUpstream.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private int ProxyPort => fixture.Edge.ProxyPort;

    /// <summary>A service on the recording upstream and a route <c>/{name}</c> (or the given fields) to it.</summary>
    private async Task<string> RouteAsync(string suffix = "", object? route = null, string? url = null)
    {
        var name = _name + suffix;
        await _admin.CreateAsync("/services", new { name, url = url ?? _upstream.Url });
        var fields = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(route ?? new { }))!.AsObject();
        fields["name"] = name;
        fields["paths"] ??= new JsonArray($"/{name}");
        await _admin.CreateAsync($"/services/{name}/routes", fields);
        return name;
    }

    private async Task WaitForRouteAsync(string path, string? host = null)
    {
        await Poll.UntilAsync(async () => (await RawAsync("GET", path, host: host)).Status != 404, TimeSpan.FromSeconds(20), $"route {path}");
    }

    private Task<(int Status, string Text)> RawAsync(string method, string target, string extraHeaders = "", string? host = null, string body = "") =>
        RawHttp.SendAsync(ProxyPort, $"{method} {target} HTTP/1.1\r\nHost: {host ?? "gateway.test"}\r\n{extraHeaders}Connection: close\r\n"
            + (body.Length > 0 ? $"Content-Length: {Encoding.Latin1.GetByteCount(body)}\r\n" : "") + "\r\n" + body);

    private static string[] HeaderLines(string request) => request[..request.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n")[1..];

    [Fact]
    public async Task Escaped_CR_LF_in_the_path_never_becomes_a_header_or_a_second_request_upstream()
    {
        var name = await RouteAsync();
        await WaitForRouteAsync($"/{name}/ready");
        var smuggle = $"/{name}/a%0D%0AX-Injected:%201%0D%0A%0D%0AGET%20/smuggled%20HTTP/1.1%0D%0AX-Consumer-ID:%20admin";
        var (status, _) = await RawAsync("GET", smuggle);

        Assert.Equal(200, status);
        var request = Assert.Single(_upstream.RequestsFor("/a%0D"));
        Assert.DoesNotContain(HeaderLines(request), l => l.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase) || l.StartsWith("X-Consumer-ID", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(_upstream.Requests, r => r.StartsWith("GET /smuggled", StringComparison.Ordinal));
        Assert.StartsWith("GET /a%0D%0AX-Injected:%201%0D%0A%0D%0AGET%20/smuggled%20HTTP/1.1%0D%0AX-Consumer-ID:%20admin HTTP/1.1\r\n", request, StringComparison.Ordinal);
        var forwardedPath = HeaderLines(request).Single(l => l.StartsWith("X-Forwarded-Path:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("%0D%0A", forwardedPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escaped_slashes_reach_the_upstream_as_the_client_sent_them()
    {
        var name = await RouteAsync();
        await WaitForRouteAsync($"/{name}/ready");
        Assert.Equal(200, (await RawAsync("GET", $"/{name}/files/a%2Fb%20c?q=%2F")).Status);

        var request = Assert.Single(_upstream.RequestsFor("/files/"));
        Assert.StartsWith("GET /files/a%2Fb%20c?q=%2F HTTP/1.1\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_owned_identity_headers_sent_by_the_client_never_reach_the_upstream()
    {
        var name = await RouteAsync();
        await WaitForRouteAsync($"/{name}/ready");
        var forged = "X-Consumer-ID: admin\r\nX_Consumer_ID: admin\r\nX-Consumer-Username: admin\r\nX-Consumer-Custom-ID: root\r\n"
            + "X-Consumer-Groups: admins\r\nX-Credential-Identifier: k\r\nX-Anonymous-Consumer: false\r\nX_Consumer_Groups: admins\r\n"
            + "Forwarded: for=10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\nX_Forwarded_Host: evil.test\r\nX-Forwarded-Host: evil.test\r\nX-Other: kept\r\n";
        Assert.Equal(200, (await RawAsync("GET", $"/{name}/who", forged)).Status);

        var lines = HeaderLines(Assert.Single(_upstream.RequestsFor("/who")));
        foreach (var owned in new[] { "X-Consumer", "X_Consumer", "X-Credential", "X-Anonymous", "Forwarded:", "X_Forwarded" })
        {
            Assert.DoesNotContain(lines, l => l.StartsWith(owned, StringComparison.OrdinalIgnoreCase));
        }

        Assert.Contains("X-Real-IP: 127.0.0.1", lines);
        Assert.Contains("X-Forwarded-Host: gateway.test", lines);
        Assert.Contains("X-Other: kept", lines);
    }

    [Fact]
    public async Task Key_auth_sends_the_real_consumer_and_no_client_groups_and_non_ASCII_names_percent_encoded()
    {
        var name = await RouteAsync();
        await _admin.CreateAsync($"/routes/{name}/plugins", new { name = "key-auth" });
        await _admin.CreateAsync("/consumers", new { username = name + "-josé", custom_id = "ñ-" + name });
        await _admin.CreateAsync($"/consumers/{name}-jos%C3%A9/key-auth", new { key = name + "-key" });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{name}/ready", $"apikey: {name}-key\r\n")).Status == 200, TimeSpan.FromSeconds(20), "the key");

        Assert.Equal(200, (await RawAsync("GET", $"/{name}/me", $"apikey: {name}-key\r\nX-Consumer-Groups: admins\r\nX-Consumer-ID: admin\r\n")).Status);

        var lines = HeaderLines(Assert.Single(_upstream.RequestsFor("/me")));
        Assert.DoesNotContain(lines, l => l.StartsWith("X-Consumer-Groups", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("X-Consumer-ID: admin", lines);
        Assert.Contains($"X-Consumer-Username: {name}-jos%C3%A9", lines);
        Assert.Contains($"X-Consumer-Custom-ID: %C3%B1-{name}", lines);
    }

    [Fact]
    public async Task Non_ASCII_paths_are_forwarded_escaped_and_a_client_fault_never_marks_a_balanced_target_unhealthy()
    {
        // Passive health at its most sensitive: one counted failure would take the only target out.
        var upstream = _name + "-pool";
        await _admin.CreateAsync("/upstreams", new
        {
            name = upstream,
            healthchecks = new { passive = new { unhealthy = new { http_failures = 1, tcp_failures = 1, timeouts = 1, http_statuses = new[] { 429, 500, 502, 503 } } } },
        });
        await _admin.CreateAsync($"/upstreams/{upstream}/targets", new { target = $"127.0.0.1:{_upstream.Port}" });
        var name = await RouteAsync(url: $"http://{upstream}");
        await WaitForRouteAsync($"/{name}/ready");

        Assert.Equal(200, (await RawAsync("GET", $"/{name}/caf%C3%A9")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{name}/bad%C3")).Status);                 // not UTF-8
        Assert.Equal(400, (await RawAsync("POST", $"/{name}/chunks", "Transfer-Encoding: chunked\r\n", body: "zz\r\nhello\r\n0\r\n\r\n")).Status);
        Assert.Equal(400, (await RawAsync("POST", $"/{name}/chunks", "Transfer-Encoding: chunked\r\n", body: "5\nhello\n0\n\n")).Status); // bare LF
        Assert.Equal(200, (await RawAsync("GET", $"/{name}/utf8-header", "X-Name: caf\u00C3\u00A9\r\n")).Status); // UTF-8 bytes in a header value
        Assert.Equal(405, (await RawAsync("CONNECT", $"/{name}/tunnel")).Status);                          // no tunnels: never a 502
        Assert.Equal(405, (await RawAsync("connect", $"/{name}/tunnel")).Status);
        Assert.Equal(405, (await RawAsync("CONNECT", "gateway.test:80", host: "gateway.test:80")).Status);
        Assert.Equal(413, (await RawAsync("POST", $"/{name}/huge", "Content-Length: 999999999999\r\n")).Status); // refused before the head is sent on
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await RawAsync("GET", $"/{name}/after-{i}")).Status);
        }

        Assert.StartsWith($"GET /caf%C3%A9 HTTP/1.1", Assert.Single(_upstream.RequestsFor("/caf")), StringComparison.Ordinal);
        Assert.Contains("X-Name: caf\u00C3\u00A9", HeaderLines(Assert.Single(_upstream.RequestsFor("/utf8-header")))); // the client's bytes, as sent
        var (_, health) = await _admin.GetJsonAsync($"/upstreams/{upstream}/health");
        Assert.DoesNotContain("UNHEALTHY", health!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transformer_header_values_with_non_ASCII_text_reach_the_upstream_percent_encoded()
    {
        var name = await RouteAsync();
        await _admin.CreateAsync($"/routes/{name}/plugins", new { name = "request-transformer", config = new { add = new { headers = new[] { "X-Team:café" } } } });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{name}/probe")).Status == 200 && _upstream.Requests.Any(r => r.Contains("X-Team", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the transformer");

        Assert.Equal(200, (await RawAsync("GET", $"/{name}/team")).Status);
        Assert.Contains("X-Team: caf%C3%A9", HeaderLines(Assert.Single(_upstream.RequestsFor("/team"))));
    }

    [Fact]
    public async Task Request_transformer_rewrites_the_query_without_escaping_the_clients_parameters_again()
    {
        var name = await RouteAsync();
        await _admin.CreateAsync($"/routes/{name}/plugins", new { name = "request-transformer", config = new { add = new { querystring = new[] { "team:a b" } } } });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{name}/probe")).Status == 200 && _upstream.Requests.Any(r => r.Contains("team=", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the transformer");

        Assert.Equal(200, (await RawAsync("GET", $"/{name}/q?q=%FF%FE&p=a%2Fb%0D%0A")).Status);
        Assert.StartsWith($"GET /q?q=%FF%FE&p=a%2Fb%0D%0A&team=a%20b HTTP/1.1", Assert.Single(_upstream.RequestsFor("/q?")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Path_normalisation_cannot_walk_around_an_auth_decision()
    {
        // A public catch-all and a protected prefix: every spelling of the protected path must meet key-auth.
        var open = await RouteAsync("-open", new { paths = new[] { $"/{_name}" } });
        var secret = await RouteAsync("-secret", new { paths = new[] { $"/{_name}/admin" } });
        await _admin.CreateAsync($"/routes/{secret}/plugins", new { name = "key-auth" });
        await WaitForRouteAsync($"/{_name}/ready");
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{_name}/admin")).Status == 401, TimeSpan.FromSeconds(20), "key-auth");

        Assert.Equal(401, (await RawAsync("GET", $"/{_name}//admin")).Status);
        Assert.Equal(401, (await RawAsync("GET", $"/{_name}/%61dmin")).Status);
        Assert.Equal(401, (await RawAsync("GET", $"/{_name}/x/../admin")).Status);
        Assert.Equal(401, (await RawAsync("GET", $"/{_name}/x/%2e%2e/admin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/..%2Fadmin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/..%5Cadmin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/..;/admin")).Status);        // Tomcat and Jetty read "..;" as ".."
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/%2e%2e;/admin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/..;jsessionid=1/admin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/..%3B/admin")).Status);
        Assert.Equal(400, (await RawAsync("GET", $"/{_name}/x/.;/admin")).Status);
        Assert.Empty(_upstream.RequestsFor("admin"));
        Assert.NotNull(open);
    }

    [Fact]
    public async Task A_trailing_dot_in_Host_names_the_same_host_and_meets_its_auth()
    {
        var host = _name + ".test";
        await RouteAsync("-any", new { paths = new[] { $"/{_name}" } });
        var guarded = await RouteAsync("-host", new { paths = new[] { $"/{_name}" }, hosts = new[] { host } });
        await _admin.CreateAsync($"/routes/{guarded}/plugins", new { name = "key-auth" });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{_name}", host: host)).Status == 401, TimeSpan.FromSeconds(20), "key-auth");
        var forwardedBefore = _upstream.Requests.Count; // the poll's own requests may have gone through before key-auth arrived

        Assert.Equal(401, (await RawAsync("GET", $"/{_name}", host: host + ".")).Status);
        Assert.Equal(401, (await RawAsync("GET", $"/{_name}", host: host.ToUpperInvariant() + ".:80")).Status);
        Assert.Equal(forwardedBefore, _upstream.Requests.Count);
    }

    [Fact]
    public async Task Catastrophic_regex_routes_cost_no_CPU_and_patterns_that_need_backtracking_are_refused_with_400()
    {
        var linear = await RouteAsync("-re", new { paths = new[] { $"~/{_name}/r/(a+)+$" } });
        await WaitForRouteAsync($"/{_name}/r/aaa");

        var attack = new string('a', 40) + "!";
        var clock = Stopwatch.StartNew();
        var (linearStatus, _) = await RawAsync("GET", $"/{_name}/r/{attack}");
        var elapsed = clock.Elapsed;
        Assert.Equal(404, linearStatus); // no route matches, answered by the non-backtracking engine
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
        Assert.Equal(200, (await RawAsync("GET", $"/{_name}/r/aaa")).Status);

        // Backreferences and lookarounds cannot run in linear time: refused when written, nothing stored.
        await _admin.CreateAsync("/services", new { name = _name + "-br", url = _upstream.Url });
        foreach (var path in new[] { $"~/{_name}/b/((a+)+)\\1x$", $"~/{_name}/(?!internal)" })
        {
            var (status, body) = await _admin.PostJsonAsync($"/services/{_name}-br/routes", new { name = _name + "-br", paths = new[] { path } });
            Assert.Equal(400, status);
            Assert.Contains("linear time", body!.ToJsonString(), StringComparison.Ordinal);
        }

        var (headerStatus, _) = await _admin.PostJsonAsync($"/services/{_name}-br/routes", new { name = _name + "-hr", headers = new Dictionary<string, string[]> { ["x-v"] = ["~*(a)\\1"] } });
        Assert.Equal(400, headerStatus);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/routes/{_name}-br")).Status);
        Assert.NotNull(linear);
    }

    [Fact]
    public async Task Ambiguous_framing_is_refused_before_the_upstream_and_never_smuggles_a_request()
    {
        var name = await RouteAsync();
        await WaitForRouteAsync($"/{name}/ready");
        var cases = new[]
        {
            // Two different Content-Lengths.
            $"POST /{name}/dup HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            // obs-fold.
            $"GET /{name}/fold HTTP/1.1\r\nHost: g\r\nX-A: a\r\n b\r\n\r\n",
            // A bare CR and a NUL in header values.
            $"GET /{name}/cr HTTP/1.1\r\nHost: g\r\nX-A: a\rb\r\n\r\n",
            $"GET /{name}/nul HTTP/1.1\r\nHost: g\r\nX-A: a\0b\r\n\r\n",
            // A space before the colon.
            $"GET /{name}/space HTTP/1.1\r\nHost: g\r\nX-A : b\r\n\r\n",
        };
        foreach (var raw in cases)
        {
            var (status, _) = await RawHttp.SendAsync(ProxyPort, raw);
            Assert.Equal(400, status);
        }

        // Content-Length with Transfer-Encoding: the chunked framing wins and the upstream gets one unambiguous request.
        var smuggle = $"POST /{name}/clte HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /{name}/smuggled HTTP/1.1\r\nHost: g\r\n\r\n";
        var (clte, _) = await RawHttp.SendAsync(ProxyPort, smuggle);
        Assert.True(clte is 200 or 400, $"answered {clte}");
        foreach (var request in _upstream.RequestsFor($"/{name}").Concat(_upstream.RequestsFor("/clte")))
        {
            var lines = HeaderLines(request);
            Assert.False(lines.Any(l => l.StartsWith("Content-Length", StringComparison.OrdinalIgnoreCase)) && lines.Any(l => l.StartsWith("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)));
        }

        Assert.Empty(_upstream.RequestsFor("/dup"));
        Assert.Empty(_upstream.RequestsFor("/fold"));
        Assert.Empty(_upstream.RequestsFor("/nul"));
    }

    [Fact]
    public async Task A_malformed_upstream_answer_is_a_502_and_bytes_smuggled_after_it_never_reach_another_request()
    {
        await using var hostile = ScriptedUpstream.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is { } request)
            {
                var path = request.Split(' ')[1];
                await connection.WriteAsync(path[(path.LastIndexOf('/') + 1)..] switch
                {
                    // Chunked wins over Content-Length: the "second answer" after the empty body is never read as one.
                    "smuggle" => "HTTP/1.1 200 OK\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nX-Smuggled: 1\r\nContent-Length: 0\r\n\r\n",
                    "control" => "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n",
                    "fold" => "HTTP/1.1 200 OK\r\nX-A: a\r\n X-Injected: 1\r\nContent-Length: 0\r\n\r\n",
                    "huge" => "HTTP/1.1 200 OK\r\nX-A: " + new string('a', 100_000) + "\r\n\r\n",
                    "badchunk" => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n",
                    "lengths" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                    "garbage" => "SSH-2.0-OpenSSH_9.2\r\n\r\n",
                    _ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                });
            }
        });
        var name = await RouteAsync(url: hostile.Url);
        await WaitForRouteAsync($"/{name}/ready");

        using var smuggled = await _proxy.GetAsync($"/{name}/smuggle");
        Assert.Equal(HttpStatusCode.OK, smuggled.StatusCode);
        Assert.Equal("", await smuggled.Content.ReadAsStringAsync());
        foreach (var path in new[] { "control", "huge", "badchunk", "lengths", "garbage" })
        {
            var (status, text) = await RawAsync("GET", $"/{name}/{path}");
            Assert.True(status == 502, $"{path}: {status} {text[..Math.Min(text.Length, 200)]}");
        }

        // A folded line is joined to the field before it with spaces (RFC 9112 section 5.2 lets a proxy do that or
        // answer 502): it never becomes a header line of its own.
        var (folded, foldedText) = await RawAsync("GET", $"/{name}/fold");
        Assert.Equal(200, folded);
        Assert.DoesNotContain(HeaderLines(foldedText), l => l.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase));

        for (var i = 0; i < 5; i++)
        {
            using var next = await _proxy.GetAsync($"/{name}/ok");
            Assert.Equal("ok", await next.Content.ReadAsStringAsync());
            Assert.False(next.Headers.Contains("X-Smuggled"));
        }
    }

    [Fact]
    public async Task Jwt_refuses_a_valid_token_carried_beside_a_forged_one()
    {
        const string secret = "a-secret-of-at-least-32-bytes-for-hs256!";
        var name = await RouteAsync();
        await _admin.CreateAsync($"/routes/{name}/plugins", new { name = "jwt" });
        await _admin.CreateAsync("/consumers", new { username = name });
        await _admin.CreateAsync($"/consumers/{name}/jwt", new { key = name + "-key", secret, algorithm = "HS256" });
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["iss"] = name + "-key" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{name}/ok?jwt={token}")).Status == 200, TimeSpan.FromSeconds(20), "jwt");

        var (both, body) = await RawAsync("GET", $"/{name}/both?jwt={token}", "Authorization: Bearer forged.token.here\r\n");
        Assert.Equal(401, both);
        Assert.Contains("Multiple tokens provided", body, StringComparison.Ordinal);
        var (two, _) = await RawAsync("GET", $"/{name}/two", $"Authorization: Bearer {token}\r\nAuthorization: Bearer forged.token.here\r\n");
        Assert.Equal(401, two);
        // Another scheme beside the token would reach the upstream unchecked next to the consumer's headers.
        Assert.Equal(401, (await RawAsync("GET", $"/{name}/basic?jwt={token}", "Authorization: Basic YWRtaW46YWRtaW4=\r\n")).Status);
        Assert.Equal(401, (await RawAsync("GET", $"/{name}/mixed", $"Authorization: Bearer {token}\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n")).Status);
        Assert.Equal(200, (await RawAsync("GET", $"/{name}/alone", $"Authorization: Bearer {token}\r\n")).Status);
        Assert.Empty(_upstream.RequestsFor("/both"));
        Assert.Empty(_upstream.RequestsFor("/two"));
        Assert.Empty(_upstream.RequestsFor("/basic"));
        Assert.Empty(_upstream.RequestsFor("/mixed"));
    }

    [Fact]
    public async Task Key_auth_refuses_a_key_in_the_header_beside_another_in_the_query()
    {
        var name = await RouteAsync();
        await _admin.CreateAsync($"/routes/{name}/plugins", new { name = "key-auth", config = new { hide_credentials = true } });
        await _admin.CreateAsync("/consumers", new { username = name });
        await _admin.CreateAsync($"/consumers/{name}/key-auth", new { key = name + "-key" });
        await Poll.UntilAsync(async () => (await RawAsync("GET", $"/{name}/ok", $"apikey: {name}-key\r\n")).Status == 200, TimeSpan.FromSeconds(20), "key-auth");

        var (status, body) = await RawAsync("GET", $"/{name}/both?apikey=someone-elses", $"apikey: {name}-key\r\n");
        Assert.Equal(401, status);
        Assert.Contains("Duplicate API key found", body, StringComparison.Ordinal);
        Assert.Empty(_upstream.RequestsFor("/both"));
    }

    [Fact]
    public async Task Client_faults_answer_4xx_with_Kongs_body_and_no_stack_trace()
    {
        var name = await RouteAsync();
        await WaitForRouteAsync($"/{name}/ready");
        var (status, text) = await RawAsync("GET", $"/{name}/%zz");
        Assert.Equal(400, status);
        Assert.Contains("{\"message\":\"Bad request\"}", text, StringComparison.Ordinal);

        // Content-Length values of 21 digits: 400 when more than a long holds, read as the number when zero-padded; on
        // every listener, never a dropped connection or a stack trace.
        foreach (var port in new[] { ProxyPort, fixture.Edge.AdminPort })
        {
            var (overflow, _) = await RawHttp.SendAsync(port, $"POST /{name}/long HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 999999999999999999999\r\nConnection: close\r\n\r\nabc");
            Assert.Equal(400, overflow);
        }

        var (padded, _) = await RawHttp.SendAsync(ProxyPort, $"POST /{name}/padded HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 000000000000000000003\r\nConnection: close\r\n\r\nabc");
        Assert.Equal(200, padded);

        var output = fixture.Edge.Process.Output;
        var at = output.IndexOf("   at ", StringComparison.Ordinal);
        Assert.True(at < 0, at < 0 ? "" : output[Math.Max(0, at - 600)..Math.Min(output.Length, at + 200)]); // the line that logged one
        using var response = await _proxy.GetAsync($"/{name}/still-fine");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
