using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>oauth2 tokens are cluster state: issued through one edge, valid on every edge at once, revoked on all of them.</summary>
public sealed class OAuth2ClusterTests(ThreeEdgeFixture fixture) : IClassFixture<ThreeEdgeFixture>
{
    [Fact]
    public async Task A_token_issued_on_one_edge_works_on_every_edge_at_once_and_revoking_it_reaches_them_all()
    {
        var edges = fixture.Edges;
        var route = await OAuth2Route.CreateAsync(edges[0].Admin, edges[0].Proxy, fixture.Upstream.Url, new { enable_client_credentials = true, accept_http_if_already_terminated = true });
        foreach (var edge in edges.Skip(1))
        {
            using var ready = await edge.Proxy.EventuallyAsync(route.Path, r => r.StatusCode == HttpStatusCode.Unauthorized);
        }

        var token = await route.ClientCredentialsTokenAsync(edges[0].Proxy);
        foreach (var edge in edges)
        {
            // No waiting: an edge that has not seen the token asks its shard once, then answers from memory.
            Assert.Equal(200, (await route.GetAsync(edge.Proxy, token)).Status);
            Assert.Equal(200, (await route.GetAsync(edge.Proxy, token)).Status);
        }

        var (listed, tokens) = await edges[2].Admin.GetJsonAsync("/oauth2_tokens");
        Assert.Equal(200, listed);
        var id = tokens!["data"]!.AsArray().Single(t => t!["access_token"]!.GetValue<string>() == token)!["id"]!.GetValue<string>();
        Assert.Equal(204, (await edges[1].Admin.SendJsonAsync(HttpMethod.Delete, $"/oauth2_tokens/{id}")).Status);
        Assert.Equal(401, (await route.GetAsync(edges[1].Proxy, token)).Status); // the revoking edge forgets at once

        foreach (var edge in edges)
        {
            // The others read the revocation log within their poll interval (a second); every one had the token cached.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            int status;
            while ((status = (await route.GetAsync(edge.Proxy, token)).Status) != 401 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(401, status);
        }

        Assert.Equal(404, (await edges[0].Admin.GetJsonAsync($"/oauth2_tokens/{id}")).Status);
    }
}
