using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>What fault_tolerant does when the silo holding the counters is gone: pass counted locally, or 503.</summary>
public sealed class RateLimitFaultToleranceTests
{
    [Fact]
    public async Task With_the_cluster_unreachable_fault_tolerant_counts_locally_and_otherwise_answers_503()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        foreach (var (name, faultTolerant) in new[] { ("tolerant", true), ("strict", false) })
        {
            Assert.Equal(201, (await edge.Admin.PostJsonAsync("/services", new { name, url = upstream.Url })).Status);
            Assert.Equal(201, (await edge.Admin.PostJsonAsync($"/services/{name}/plugins", new { name = "rate-limiting", config = new { hour = 3, fault_tolerant = faultTolerant } })).Status);
            Assert.Equal(201, (await edge.Admin.PostJsonAsync($"/services/{name}/routes", new { paths = new[] { $"/{name}" } })).Status);
            using var counted = await edge.Proxy.EventuallyAsync($"/{name}", r => r.StatusCode == HttpStatusCode.OK); // one permit, from the cluster
        }

        silo.Process.Kill();

        // Permits already leased stay good until their lease ends (at most a second): let them lapse.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        using (var strict = await edge.Proxy.GetAsync("/strict"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, strict.StatusCode);
            Assert.Equal("The rate-limiting counters could not be reached", (await strict.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        }

        // The edge's own count starts afresh: three more pass, then the limit applies again.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await edge.Proxy.GetAsync("/tolerant");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var metrics = await edge.Status.GetStringAsync("/metrics");
        Assert.Contains("turnpike_ratelimit_local_fallback_total 5", metrics, StringComparison.Ordinal);
    }
}
