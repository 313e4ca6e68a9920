using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>What an edge started with the shipped appsettings.json writes to its console.</summary>
public sealed class EdgeLoggingTests
{
    /// <summary>From its own directory, and from <c>/</c> as systemd and containers start it: the shipped file is read from where the program is.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Shipped_log_levels_write_nothing_per_proxied_request_but_log_an_unreachable_upstream(bool startedFromRoot)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var edge = startedFromRoot ? await EdgeNode.StartDevInAsync("/", EdgeNode.AsShipped()) : await EdgeNode.StartDevAsync(EdgeNode.AsShipped());
        var deadPort = FreePorts.Next(); // nothing listens there
        await edge.Admin.CreateAsync("/services", new { name = "up", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/up/routes", new { paths = new[] { "/up" } });
        await edge.Admin.CreateAsync("/services", new { name = "down", url = $"http://127.0.0.1:{deadPort}", retries = 0 });
        await edge.Admin.CreateAsync("/services/down/routes", new { paths = new[] { "/down" } });
        (await edge.Proxy.EventuallyAsync("/up", r => r.StatusCode == HttpStatusCode.OK)).Dispose();

        for (var i = 0; i < 50; i++)
        {
            using var response = await edge.Proxy.GetAsync("/up");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var failed = await edge.Proxy.EventuallyAsync("/down", r => r.StatusCode != HttpStatusCode.NotFound))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        await Poll.UntilAsync(() => Task.FromResult(edge.Process.Output.Contains("[2800]")), TimeSpan.FromSeconds(10), "the upstream failure in the edge's log");
        var output = edge.Process.Output;
        Assert.Contains($"Service down: forwarding to http://127.0.0.1:{deadPort} failed (Request): Connection refused", output);
        Assert.True(!output.Contains("   at ", StringComparison.Ordinal), output); // one line per failure, no stack trace
        Assert.DoesNotContain("Proxying to", output);
        Assert.DoesNotContain("Yarp.", output);
        Assert.DoesNotContain("Polly", output);
    }

    [Fact]
    public async Task With_the_json_formatter_every_line_is_one_json_object_with_its_event_id()
    {
        await using var edge = await EdgeNode.StartDevAsync(EdgeNode.AsShipped(new() { ["Logging__Console__FormatterName"] = "json" }));
        var deadPort = FreePorts.Next();
        await edge.Admin.CreateAsync("/services", new { name = "down", url = $"http://127.0.0.1:{deadPort}", retries = 0 });
        await edge.Admin.CreateAsync("/services/down/routes", new { paths = new[] { "/down" } });
        using (var failed = await edge.Proxy.GetAsync("/down"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        await Poll.UntilAsync(() => Task.FromResult(edge.Process.Output.Contains("\"EventId\":2800", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the upstream failure in the edge's log");
        var records = edge.Process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject()).ToList();
        var failure = records.Single(r => r["EventId"]!.GetValue<int>() == 2800);
        Assert.Equal("Warning", failure["LogLevel"]!.GetValue<string>());
        Assert.Contains($"http://127.0.0.1:{deadPort}", failure["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r["Category"]?.GetValue<string>())));
    }
}
