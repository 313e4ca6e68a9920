using System.Net;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>bot-detection's regexes under the edge-hardening rules: backtracking patterns refused on write, long agents matched in linear time.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class BotDetectionHostileTests(DevGatewayFixture fixture)
{
    [Fact]
    public async Task A_pattern_needing_backtracking_is_a_400_naming_the_field_and_stores_nothing()
    {
        var name = "bots-h-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Edge.Admin.CreateAsync("/services", new { name, url = fixture.Upstream.Url });
        var (status, body) = await fixture.Edge.Admin.PostJsonAsync($"/services/{name}/plugins", new { name = "bot-detection", config = new { deny = new[] { @"^(\w+)\1$" } } });

        Assert.Equal(400, status);
        Assert.NotNull(body!["fields"]!["config"]!["deny"]);
        var (_, plugins) = await fixture.Edge.Admin.GetJsonAsync($"/services/{name}/plugins");
        Assert.Empty(plugins!["data"]!.AsArray());
    }

    [Fact]
    public async Task A_long_agent_built_to_make_a_pattern_backtrack_is_answered_and_the_edge_stays_responsive()
    {
        var name = "bots-h-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Edge.Admin.CreateAsync("/services", new { name, url = fixture.Upstream.Url });
        await fixture.Edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "bot-detection", config = new { deny = new[] { "^(a+)+$", "(x|xx)*y" } } });
        await fixture.Edge.Admin.CreateAsync($"/services/{name}/routes", new { name, paths = new[] { "/" + name } });
        using var _ = await fixture.Edge.Proxy.EventuallyAsync("/" + name, r => r.StatusCode == HttpStatusCode.OK);

        // Exponential on a backtracking engine; linear here.
        foreach (var agent in new[] { new string('a', 7000) + "!", new string('x', 7000) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/" + name);
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            using var response = await fixture.Edge.Proxy.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var denied = new HttpRequestMessage(HttpMethod.Get, "/" + name);
        denied.Headers.TryAddWithoutValidation("User-Agent", new string('a', 7000));
        using var refused = await fixture.Edge.Proxy.SendAsync(denied);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
