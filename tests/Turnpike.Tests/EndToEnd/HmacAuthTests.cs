using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>hmac-auth through a real edge: credentials under consumers, every algorithm, the clock skew, enforced headers, the body digest.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class HmacAuthTests(DevGatewayFixture fixture)
{
    private const string Secret = "s3cret-hmac-value";
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "hmac-" + Guid.NewGuid().ToString("N")[..8];

    private string User => _name + "-user";

    /// <summary>A service with hmac-auth (<paramref name="config"/>), a consumer with a credential, and a route; returns the path.</summary>
    private async Task<string> RouteAsync(object? config = null)
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await _admin.CreateAsync($"/services/{_name}/plugins", new { name = "hmac-auth", config = config ?? new { } });
        await _admin.CreateAsync("/consumers", new { username = _name });
        await _admin.CreateAsync($"/consumers/{_name}/hmac-auth", new { username = User, secret = Secret });
        await _admin.CreateAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { "/" + _name } });
        using var _ = await _proxy.EventuallyAsync("/" + _name, r => r.StatusCode == HttpStatusCode.Unauthorized);
        return "/" + _name;
    }

    private static string Date(DateTimeOffset at) => at.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>A request signed as a Kong client signs it: date and request-line unless other headers are named.</summary>
    private HttpRequestMessage Signed(HttpMethod method, string target, string algorithm = "hmac-sha256", string[]? headers = null, DateTimeOffset? date = null,
        string? username = null, string secret = Secret, string header = "Authorization", Action<HttpRequestMessage>? before = null)
    {
        var request = new HttpRequestMessage(method, target);
        request.Headers.TryAddWithoutValidation("Date", Date(date ?? DateTimeOffset.UtcNow));
        before?.Invoke(request);
        headers ??= ["date", "request-line"];
        var lines = headers.Select(h => h switch
        {
            "request-line" => $"{method.Method} {target} HTTP/1.1",
            "@request-target" => $"@request-target: {method.Method.ToLowerInvariant()} {target}",
            _ => $"{h}: {Value(request, h)}",
        });
        var data = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        var key = Encoding.UTF8.GetBytes(secret);
        var signature = algorithm switch
        {
#pragma warning disable CA5350 // the client side of Kong's hmac-sha1
            "hmac-sha1" => HMACSHA1.HashData(key, data),
#pragma warning restore CA5350
            "hmac-sha384" => HMACSHA384.HashData(key, data),
            "hmac-sha512" => HMACSHA512.HashData(key, data),
            _ => HMACSHA256.HashData(key, data),
        };
        request.Headers.TryAddWithoutValidation(header, $"hmac username=\"{username ?? User}\", algorithm=\"{algorithm}\", headers=\"{string.Join(' ', headers)}\", signature=\"{Convert.ToBase64String(signature)}\"");
        return request;
    }

    private static string Value(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.First()
        : request.Content?.Headers.TryGetValues(name, out var content) == true ? content.First() : "";

    private static async Task<string> MessageAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>();

    [Theory]
    [InlineData("hmac-sha1")]
    [InlineData("hmac-sha256")]
    [InlineData("hmac-sha384")]
    [InlineData("hmac-sha512")]
    public async Task A_request_signed_with_any_allowed_algorithm_reaches_the_upstream_as_its_consumer(string algorithm)
    {
        var path = await RouteAsync();
        using var response = await _proxy.SendAsync(Signed(HttpMethod.Get, path + "/x?a=1", algorithm));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(_name, echo["headers"]!["x-consumer-username"]!.GetValue<string>());
        Assert.Equal(User, echo["headers"]!["x-credential-identifier"]!.GetValue<string>());
        Assert.NotNull(echo["headers"]!["authorization"]); // hide_credentials is off by default
    }

    [Fact]
    public async Task Hmac_auth_rejects_a_request_without_credentials_with_401_and_www_authenticate()
    {
        var path = await RouteAsync();
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", await MessageAsync(response));
        Assert.Equal("hmac", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_request_dated_outside_the_clock_skew_is_refused_so_a_captured_one_cannot_be_replayed_later()
    {
        var path = await RouteAsync(new { clock_skew = 60 });
        using var old = await _proxy.SendAsync(Signed(HttpMethod.Get, path, date: DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal("HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication", await MessageAsync(old));

        using var future = await _proxy.SendAsync(Signed(HttpMethod.Get, path, date: DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(HttpStatusCode.Unauthorized, future.StatusCode);

        using var fresh = await _proxy.SendAsync(Signed(HttpMethod.Get, path, date: DateTimeOffset.UtcNow.AddSeconds(-30)));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_wrong_secret_or_a_signature_for_another_path_does_not_match()
    {
        var path = await RouteAsync();
        using var wrongSecret = await _proxy.SendAsync(Signed(HttpMethod.Get, path, secret: "guess"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal("HMAC signature does not match", await MessageAsync(wrongSecret));

        // Signed for /other, sent to the route's path: the request line differs.
        var moved = Signed(HttpMethod.Get, path + "/other");
        moved.RequestUri = new Uri(path + "/elsewhere", UriKind.Relative);
        using var response = await _proxy.SendAsync(moved);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_users_unsigned_enforced_headers_and_disallowed_algorithms_cannot_be_verified()
    {
        var path = await RouteAsync(new { enforce_headers = new[] { "date", "x-tenant" }, algorithms = new[] { "hmac-sha256", "hmac-sha512" } });
        using var unknown = await _proxy.SendAsync(Signed(HttpMethod.Get, path, headers: ["date", "x-tenant"], username: "nobody"));
        using var unenforced = await _proxy.SendAsync(Signed(HttpMethod.Get, path));
        using var sha1 = await _proxy.SendAsync(Signed(HttpMethod.Get, path, "hmac-sha1", headers: ["date", "x-tenant"]));
        foreach (var response in new[] { unknown, unenforced, sha1 })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("HMAC signature cannot be verified", await MessageAsync(response));
        }

        using var good = await _proxy.SendAsync(Signed(HttpMethod.Get, path, headers: ["date", "x-tenant", "request-line"], before: r => r.Headers.Add("X-Tenant", "t1")));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task X_date_request_target_and_proxy_authorization_work_and_hide_credentials_drops_the_header()
    {
        var path = await RouteAsync(new { hide_credentials = true });
        var request = Signed(HttpMethod.Get, path + "?q=1", headers: ["x-date", "@request-target"], header: "Proxy-Authorization",
            before: r => r.Headers.TryAddWithoutValidation("X-Date", Date(DateTimeOffset.UtcNow)));
        request.Headers.Remove("Date");
        using var response = await _proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Null(echo["headers"]!["proxy-authorization"]);
        Assert.Equal(_name, echo["headers"]!["x-consumer-username"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_validate_request_body_only_the_body_the_digest_names_passes_and_it_reaches_the_upstream_whole()
    {
        var path = await RouteAsync(new { validate_request_body = true });
        const string body = """{"order":42}""";
        var digest = "SHA-256=" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

        var good = Signed(HttpMethod.Post, path, headers: ["date", "digest", "request-line"], before: r =>
        {
            r.Content = new StringContent(body, Encoding.UTF8, "application/json");
            r.Headers.TryAddWithoutValidation("Digest", digest);
        });
        using (var response = await _proxy.SendAsync(good))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(body, (await response.Content.ReadFromJsonAsync<JsonObject>())!["body"]!.GetValue<string>());
        }

        var swapped = Signed(HttpMethod.Post, path, headers: ["date", "digest", "request-line"], before: r =>
        {
            r.Content = new StringContent("""{"order":43}""", Encoding.UTF8, "application/json");
            r.Headers.TryAddWithoutValidation("Digest", digest);
        });
        using (var response = await _proxy.SendAsync(swapped))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("HMAC signature does not match", await MessageAsync(response));
        }

        var noDigest = Signed(HttpMethod.Post, path, before: r => r.Content = new StringContent(body));
        using (var response = await _proxy.SendAsync(noDigest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_credential_gets_a_generated_secret_and_a_taken_username_is_409()
    {
        await _admin.CreateAsync("/consumers", new { username = _name });
        var (status, body) = await _admin.PostJsonAsync($"/consumers/{_name}/hmac-auth", new { username = User });
        Assert.Equal(201, status);
        Assert.Equal(32, body!["secret"]!.GetValue<string>().Length);
        Assert.Equal(User, body["username"]!.GetValue<string>());

        var (again, _) = await _admin.PostJsonAsync($"/consumers/{_name}/hmac-auth", new { username = User });
        Assert.Equal(409, again);
        var (listed, list) = await _admin.GetJsonAsync($"/hmac-auths/{User}");
        Assert.Equal(200, listed);
        Assert.Equal(body["id"]!.GetValue<string>(), list!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_hmac_auth_config_names_its_field()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "hmac-auth", config = new { algorithms = new[] { "hmac-md5" }, clock_skew = 0 } });
        Assert.Equal(400, status);
        Assert.Equal("expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512", body!["fields"]!["config"]!["algorithms"]![0]!.GetValue<string>());
        Assert.Equal("value must be greater than 0", body["fields"]!["config"]!["clock_skew"]!.GetValue<string>());
    }
}
