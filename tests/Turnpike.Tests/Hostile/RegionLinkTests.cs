using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.RateLimiting;
using Turnpike.Regions;
using Turnpike.RouteTable;
using Turnpike.Tests.EndToEnd.Regions;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>The home region's silo with its link listener (a peer 'eu' configured), and what a stranger can do to it.</summary>
public sealed class RegionLinkFixture : IAsyncLifetime
{
    internal SiloNode Silo { get; private set; } = null!;

    internal int LinkPort { get; private set; }

    internal HttpClient Link { get; } = new(new SocketsHttpHandler { UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task InitializeAsync()
    {
        LinkPort = FreePorts.Next();
        Silo = await SiloNode.StartAsync(extraEnvironment: TwoRegionFixture.RegionEnvironment("us", "eu", $"http://127.0.0.1:{FreePorts.Next()}", $"http://127.0.0.1:{LinkPort}"));
        Link.BaseAddress = new Uri($"http://127.0.0.1:{LinkPort}");
    }

    public async Task DisposeAsync()
    {
        Link.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }
    }
}

public sealed class RegionLinkTests(RegionLinkFixture fixture) : IClassFixture<RegionLinkFixture>
{
    private static readonly Orleans.Serialization.Serializer Serializer =
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Orleans.Serialization.Serializer>(
            Orleans.Serialization.ServiceCollectionExtensions.AddSerializer(new Microsoft.Extensions.DependencyInjection.ServiceCollection()).BuildServiceProvider());

    private async Task<(HttpStatusCode Status, string Message)> SendAsync(
        HttpMethod method, string path, byte[] body, string region = "eu", string secret = TwoRegionFixture.Secret, long? time = null, bool sign = true, string? signedPath = null, Action<byte[]>? answer = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = method == HttpMethod.Get ? null : new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (sign)
        {
            var when = time ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            request.Headers.Add(LinkSignature.RegionHeader, region);
            request.Headers.Add(LinkSignature.TimeHeader, when.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(LinkSignature.SignatureHeader, LinkSignature.Sign(secret, region, when, method.Method, signedPath ?? path, body));
        }

        using var response = await fixture.Link.SendAsync(request);
        answer?.Invoke(await response.Content.ReadAsByteArrayAsync());
        var text = await response.Content.ReadAsStringAsync();
        string message;
        try
        {
            message = response.Content.Headers.ContentType?.MediaType == "application/octet-stream" ? "" : JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.Version}: {text}");
        }

        return (response.StatusCode, message);
    }

    [Fact]
    public async Task Link_refuses_an_unsigned_request_with_401()
    {
        var (status, message) = await SendAsync(HttpMethod.Post, RegionLinkPaths.Write, [1, 2, 3], sign: false);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.StartsWith("link request not signed", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_refuses_a_request_signed_with_another_secret_with_401_naming_the_setting()
    {
        var (status, message) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Changes + "?since=0&wait=0", [], secret: TwoRegionFixture.Secret + "-other");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("link signature from region 'eu' does not match: the regions' Turnpike:Regions:Secret differ", message);
    }

    [Fact]
    public async Task Link_refuses_a_region_it_does_not_know_with_401()
    {
        var (status, message) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Changes + "?since=0&wait=0", [], region: "ap");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("region 'ap' is not a peer of this region (Turnpike:Regions:Peers)", message);
    }

    [Fact]
    public async Task Link_refuses_a_request_from_a_clock_ten_minutes_off_with_401_stating_the_skew()
    {
        var (status, message) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Changes + "?since=0&wait=0", [], time: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("behind this region's clock (at most 300 s allowed)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_answers_a_signed_body_that_is_no_write_with_400_and_keeps_serving()
    {
        var garbage = Encoding.UTF8.GetBytes(new string('\0', 1000) + "\r\n{\"upserts\":[]}");

        var (status, message) = await SendAsync(HttpMethod.Post, RegionLinkPaths.Write + "?epoch=0&home=us", garbage);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("link request body is not a route table write of this version of Turnpike", message);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, RegionLinkPaths.Changes + "?since=0&wait=0&epoch=0&home=eu", [])).Status);
    }

    [Fact]
    public async Task Link_refuses_a_signed_request_whose_query_was_changed_with_401()
    {
        // Signed to ask as epoch 0, sent claiming epoch 99 (which would make the home step down): the query is signed too.
        var (status, message) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Changes + "?since=0&wait=0&epoch=99&home=eu", [], signedPath: RegionLinkPaths.Changes + "?since=0&wait=0&epoch=0&home=eu");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("link signature from region 'eu' does not match: the regions' Turnpike:Regions:Secret differ", message);
        var (_, home) = await GetHomeAsync();
        Assert.Equal((0L, "us"), (home.Epoch, home.Home));
    }

    [Fact]
    public async Task A_replayed_signed_write_is_applied_once_and_answered_with_the_same_version()
    {
        var write = new RouteTableWrite
        {
            WriteId = Guid.NewGuid(),
            Upserts = [new ServiceEntity { Id = Guid.NewGuid(), Name = "replayed-" + Guid.NewGuid().ToString("N")[..8], Host = "replayed.internal" }],
        };
        var body = Serializer.SerializeToArray(write);
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var versions = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (status, _) = await SendAsync(HttpMethod.Post, RegionLinkPaths.Write + "?epoch=0&home=us", body, time: time, answer: a => versions.Add(Serializer.Deserialize<RouteTableWriteResult>(a)!.Version));
            Assert.Equal(HttpStatusCode.OK, status);
        }

        Assert.Single(versions.Distinct());
        Assert.Equal(versions[0], (await GetHomeAsync()).Home.Version);
    }

    [Fact]
    public async Task Link_answers_a_write_without_its_epoch_or_naming_no_region_with_400_and_changes_nothing()
    {
        foreach (var query in new[] { "", "?epoch=-1&home=us", "?epoch=1&home=mars", "?epoch=1&home=US%0D%0A", "?epoch=99999999999999999999&home=us" })
        {
            var (status, message) = await SendAsync(HttpMethod.Post, RegionLinkPaths.Write + query, [1, 2, 3]);

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("epoch (0 or more) and home (a region) are required", message);
        }

        Assert.Equal(0, (await GetHomeAsync()).Home.Epoch);
    }

    [Fact]
    public async Task Link_refuses_a_body_over_64_MiB_with_413_and_keeps_serving()
    {
        var (status, _) = await SendAsync(HttpMethod.Post, RegionLinkPaths.Write + "?epoch=0&home=us", new byte[(64 * 1024 * 1024) + 1]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(HttpStatusCode.OK, (await GetHomeAsync()).Status);
    }

    [Fact]
    public async Task Link_answers_a_usage_request_with_a_bad_range_granularity_or_id_with_400()
    {
        foreach (var query in new[] { "", "?from=10&to=5&granularity=hour", "?from=0&to=3600&granularity=week", "?from=0&to=3600&granularity=7", "?from=0&to=3600&granularity=hour&consumer=bob", "?from=0&to=999999999&granularity=hour" })
        {
            var (status, message) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Usage + query, []);

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.StartsWith("from and to (unix seconds", message, StringComparison.Ordinal);
        }
    }

    private async Task<(HttpStatusCode Status, string Message, QuotaGrant? Grant)> LeaseAsync(GlobalQuotaRequest lease, string secret = TwoRegionFixture.Secret, bool sign = true, string region = "eu")
    {
        QuotaGrant? grant = null;
        var (status, message) = await SendAsync(
            HttpMethod.Post, RegionLinkPaths.RateLimitLease + "?epoch=0&home=us", Serializer.SerializeToArray(lease), region: region, secret: secret, sign: sign,
            answer: a => grant = a.Length > 0 && a[0] != (byte)'{' ? Serializer.Deserialize<QuotaGrant>(a) : null);
        return (status, message, grant);
    }

    private static GlobalQuotaRequest Lease(string key, Guid lessee, long sequence, long wanted, params QuotaReturn[] returns) => new()
    {
        Key = key,
        Region = "eu",
        Lessee = lessee,
        Sequence = sequence,
        Limits = [new WindowLimit(RateLimitWindow.Hour, 5)],
        Wanted = wanted,
        Returns = returns,
    };

    [Fact]
    public async Task A_forged_lease_request_unsigned_or_signed_with_another_secret_is_refused_with_401_and_grants_nothing()
    {
        var key = "forged-" + Guid.NewGuid().ToString("N");
        var forged = Lease(key, Guid.NewGuid(), 1, wanted: 5);

        var unsigned = await LeaseAsync(forged, sign: false);
        var otherSecret = await LeaseAsync(forged, secret: TwoRegionFixture.Secret + "-other");
        var unknownRegion = await LeaseAsync(forged, region: "ap");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unsigned.Status, otherSecret.Status, unknownRegion.Status));
        Assert.Null(unsigned.Grant);
        // The limit is whole: the region that signs gets its share (one of two regions: half of five, rounded up) and two are left.
        var (status, _, grant) = await LeaseAsync(Lease(key, Guid.NewGuid(), 1, wanted: 5));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((3L, 2L), (grant!.Granted, grant.Remaining[0]));
    }

    [Fact]
    public async Task A_replayed_lease_request_is_granted_once_and_a_replayed_return_is_credited_once()
    {
        var key = "replayed-" + Guid.NewGuid().ToString("N");
        var lessee = Guid.NewGuid();
        var first = await LeaseAsync(Lease(key, lessee, 1, wanted: 3));
        var replay = await LeaseAsync(Lease(key, lessee, 1, wanted: 3));
        Assert.Equal((3L, 2L), (first.Grant!.Granted, first.Grant.Remaining[0]));
        Assert.Equal((3L, 2L), (replay.Grant!.Granted, replay.Grant.Remaining[0])); // the same answer, not three more
        Assert.True(replay.Grant.ValidForMs <= first.Grant.ValidForMs);

        var giveBack = Lease(key, lessee, 2, wanted: 0, new QuotaReturn(2, first.Grant.Periods));
        Assert.Equal(HttpStatusCode.OK, (await LeaseAsync(giveBack)).Status);
        Assert.Equal(HttpStatusCode.OK, (await LeaseAsync(giveBack)).Status);

        // 3 granted, 2 handed back once: 4 of 5 left, of which a region gets half (credited twice: 5 left, 3 granted; granted
        // twice: 3 left, 2 granted and 1 remaining).
        var (_, _, grant) = await LeaseAsync(Lease(key, lessee, 3, wanted: 10));
        Assert.Equal((2L, 2L), (grant!.Granted, grant.Remaining[0]));
    }

    [Fact]
    public async Task A_signed_lease_request_whose_body_is_no_lease_is_answered_400()
    {
        var (status, message) = await SendAsync(HttpMethod.Post, RegionLinkPaths.RateLimitLease + "?epoch=0&home=us", Encoding.UTF8.GetBytes("{\"wanted\": 1000000}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("link request body is not a rate-limit lease request of this version of Turnpike", message);
    }

    private async Task<(HttpStatusCode Status, HomeState Home)> GetHomeAsync()
    {
        HomeState? home = null;
        var (status, _) = await SendAsync(HttpMethod.Get, RegionLinkPaths.Home, [], answer: a => home = a.Length > 0 && a[0] != (byte)'{' ? Serializer.Deserialize<HomeState>(a) : null);
        return (status, home!);
    }

    [Fact]
    public async Task Status_listener_does_not_serve_the_link()
    {
        using var status = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Silo.StatusPort}") };
        using var response = await status.GetAsync(RegionLinkPaths.Changes + "?since=0&wait=0");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_silo_whose_home_is_no_region_stops_with_one_line_naming_it_and_exit_code_2()
    {
        var environment = TwoRegionFixture.RegionEnvironment("eu", "us", "http://127.0.0.1:1", $"http://127.0.0.1:{FreePorts.Next()}");
        environment["Turnpike__Regions__Home"] = "mars";

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(extraEnvironment: environment));

        Assert.Contains("Process exited with 2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("turnpike silo: Turnpike:Regions:Home names region 'mars', which is neither this region ('eu') nor one of Turnpike:Regions:Peers (us).", failure.Message, StringComparison.Ordinal);
    }
}
