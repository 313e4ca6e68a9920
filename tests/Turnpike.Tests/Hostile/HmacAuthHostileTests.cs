using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>hmac-auth against malformed, oversized, duplicated and spoofed credentials: each is a 401, never a 500 or a pass.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class HmacAuthHostileTests(DevGatewayFixture fixture)
{
    private const string Secret = "hostile-secret";
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "hmac-h-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RouteAsync(object config)
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await _admin.CreateAsync($"/services/{_name}/plugins", new { name = "hmac-auth", config });
        await _admin.CreateAsync("/consumers", new { username = _name });
        await _admin.CreateAsync($"/consumers/{_name}/hmac-auth", new { username = _name, secret = Secret });
        await _admin.CreateAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { "/" + _name } });
        using var _ = await _proxy.EventuallyAsync("/" + _name, r => r.StatusCode == HttpStatusCode.Unauthorized);
        return "/" + _name;
    }

    private static string Authorization(string method, string target, string date) =>
        $"hmac username=\"{{0}}\", algorithm=\"hmac-sha256\", headers=\"date request-line\", signature=\"{Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"date: {date}\n{method} {target} HTTP/1.1")))}\"";

    [Theory]
    [InlineData("hmac username=\"")]
    [InlineData("hmac username=\"a\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\"!!!!\"")]
    [InlineData("hmac username=\"a\", algorithm=\"hmac-sha999\", headers=\"date\", signature=\"c2ln\"")]
    [InlineData("hmac username=\"a\"\"\"\"\", algorithm=\"\", headers=\"\", signature=\"\"")]
    public async Task A_malformed_credential_is_a_401_never_a_500(string authorization)
    {
        var path = await RouteAsync(new { });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await _proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Oversized_credentials_and_garbage_dates_are_401s()
    {
        var path = await RouteAsync(new { });
        using var huge = new HttpRequestMessage(HttpMethod.Get, path);
        huge.Headers.TryAddWithoutValidation("Date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        huge.Headers.TryAddWithoutValidation("Authorization", "hmac username=\"" + new string('u', 8000) + "\", algorithm=\"hmac-sha256\", headers=\"" + string.Join(' ', Enumerable.Repeat("date", 1500)) + "\", signature=\"" + new string('A', 4000) + "\"");
        using (var response = await _proxy.SendAsync(huge))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var badDate = new HttpRequestMessage(HttpMethod.Get, path);
        badDate.Headers.TryAddWithoutValidation("Date", "Mon, 99 Foo 99999 99:99:99 GMT");
        badDate.Headers.TryAddWithoutValidation("Authorization", "hmac username=\"x\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\"c2ln\"");
        using (var response = await _proxy.SendAsync(badDate))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("HMAC signature cannot be verified, a valid date", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_valid_credential_behind_a_forged_first_header_does_not_pass_and_spoofed_consumer_headers_never_reach_the_upstream()
    {
        var path = await RouteAsync(new { });
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        var valid = string.Format(CultureInfo.InvariantCulture, Authorization("GET", path, date), _name);

        using var doubled = new HttpRequestMessage(HttpMethod.Get, path);
        doubled.Headers.TryAddWithoutValidation("Date", date);
        doubled.Headers.TryAddWithoutValidation("Authorization", ["hmac username=\"someone-else\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\"c2ln\"", valid]);
        using (var response = await _proxy.SendAsync(doubled))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var spoofed = new HttpRequestMessage(HttpMethod.Get, path);
        spoofed.Headers.TryAddWithoutValidation("Date", date);
        spoofed.Headers.TryAddWithoutValidation("Authorization", valid);
        spoofed.Headers.TryAddWithoutValidation("X-Consumer-Username", "admin");
        using (var response = await _proxy.SendAsync(spoofed))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(_name, (await response.Content.ReadFromJsonAsync<JsonObject>())!["headers"]!["x-consumer-username"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_large_body_is_digested_without_being_held_in_memory_whole_and_still_reaches_the_upstream()
    {
        var path = await RouteAsync(new { validate_request_body = true });
        var body = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(body);
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Date", date);
        request.Headers.TryAddWithoutValidation("Digest", "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body)));
        request.Headers.TryAddWithoutValidation("Authorization", string.Format(CultureInfo.InvariantCulture, Authorization("POST", path, date), _name));
        using var response = await _proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length, (await response.Content.ReadFromJsonAsync<JsonObject>())!["body_bytes"]!.GetValue<long>());
    }
}
