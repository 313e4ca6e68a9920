using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>bot-detection through a real edge.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class BotDetectionTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "bots-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RouteAsync(object config)
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await _admin.CreateAsync($"/services/{_name}/plugins", new { name = "bot-detection", config });
        await _admin.CreateAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { "/" + _name } });
        using var _ = await _proxy.EventuallyAsync("/" + _name, r => r.StatusCode == HttpStatusCode.OK);
        return "/" + _name;
    }

    private async Task<HttpResponseMessage> GetAsync(string path, params string[] agents)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var agent in agents)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
        }

        return await _proxy.SendAsync(request);
    }

    [Fact]
    public async Task Bot_detection_refuses_a_known_bot_with_403_and_lets_browsers_and_allowed_bots_through()
    {
        var path = await RouteAsync(new { allow = new[] { "bingbot" }, deny = new[] { "^EvilScanner" } });

        using var google = await GetAsync(path, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        Assert.Equal(HttpStatusCode.Forbidden, google.StatusCode);
        Assert.Equal("Forbidden", (await google.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());

        using var denied = await GetAsync(path, "EvilScanner/1.0");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var bing = await GetAsync(path, "Mozilla/5.0 (compatible; bingbot/2.0)");
        Assert.Equal(HttpStatusCode.OK, bing.StatusCode);

        using var browser = await GetAsync(path, "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0");
        Assert.Equal(HttpStatusCode.OK, browser.StatusCode);

        using var none = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
    }

    [Fact]
    public async Task Two_user_agents_get_400()
    {
        var path = await RouteAsync(new { });

        // Two header lines, as sent on the wire (HttpClient would join them into one).
        var (status, text) = await RawHttp.SendAsync(
            fixture.Edge.ProxyPort, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 Firefox/121.0\r\nUser-Agent: curl/8.5.0\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, status);
        Assert.Contains("Only one User-Agent header allowed", text, StringComparison.Ordinal);
    }
}
