using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Production;

/// <summary>
/// ai-semantic-cache with <c>vectordb.strategy: redis</c> on a private Debian Redis 7 (no vector module): answers and
/// vectors kept in Redis, the search made on the edge; the store's bounds and TTLs as Redis holds them; a Redis that
/// goes away turns lookups into bypasses.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiSemanticCacheRedisTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "semr-" + Guid.NewGuid().ToString("N")[..8];
    private DatabaseServer _redis = null!;
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync()
    {
        _redis = await DatabaseServer.StartRedisAsync();
        _fake = await FakeLlmProvider.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private (int Port, string Password) Server
    {
        get
        {
            var parts = _redis.ConnectionString.Split(',');
            return (int.Parse(parts[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), parts.Single(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..]);
        }
    }

    private SemanticCacheRedis Redis => new("127.0.0.1", Server.Port, 1000, null, Server.Password, 0, false, false, null);

    private static float[] Unit(params float[] raw) => SemanticVectors.Prepare(raw, raw.Length, DistanceMetric.Cosine).Vector!;

    private async Task<HttpResponseMessage> AskAsync(string prompt)
    {
        var response = await _proxy.PostAsJsonAsync($"/{_name}/v1/chat/completions", new { messages = new[] { new { role = "user", content = prompt } } });
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string Status(HttpResponseMessage response) => string.Join(",", response.Headers.GetValues("X-Cache-Status"));

    [Fact]
    public async Task A_paraphrase_hits_an_answer_kept_in_redis_and_a_redis_that_is_gone_is_a_bypass()
    {
        var (port, password) = Server;
        var vectorDb = new JsonObject { ["strategy"] = "redis", ["redis"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = port, ["password"] = password, ["timeout"] = 500 } };
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "openai")), ("ai-semantic-cache", AiSemanticCacheTests.CacheConfig(_fake, vectorDb: vectorDb)));

        using (var miss = await AskAsync("What is the capital of France?"))
        {
            Assert.Equal("Miss", Status(miss));
        }

        using (var hit = await AskAsync("What is the capital city of France?"))
        {
            Assert.Equal("Hit", Status(hit));
        }

        Assert.Equal(1, _fake.Requests.Count(r => r.Path == "/v1/chat/completions"));

        // What Redis holds: one answer hash, expiring with cache_ttl, and the namespace's index of it.
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
        {
            var server = connection.GetServer(connection.GetEndPoints()[0]);
            var keys = server.Keys(pattern: "turnpike:ai-semantic-cache:*").Select(k => (string)k!).ToList();
            Assert.Equal(2, keys.Count);
            var entry = keys.Single(k => !k.EndsWith(":index", StringComparison.Ordinal));
            Assert.Matches("^turnpike:ai-semantic-cache:[0-9a-f]{32}:[0-9a-f]{64}$", entry);
            Assert.InRange((await connection.GetDatabase().KeyTimeToLiveAsync(entry))!.Value.TotalSeconds, 290, 300);
        }

        await _redis.StopAsync();
        using var bypassed = await AskAsync("What is the capital city of France?");
        Assert.Equal(HttpStatusCode.OK, bypassed.StatusCode);
        Assert.Equal("Bypass", Status(bypassed));
        Assert.Equal(2, _fake.Requests.Count(r => r.Path == "/v1/chat/completions"));
    }

    [Fact]
    public async Task The_redis_store_keeps_at_most_its_candidates_per_namespace_and_serves_nothing_past_its_ttl()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var connections = new SemanticCacheRedisConnections();
        var store = new RedisSemanticCacheStore(Redis, connections, candidates: 3, time);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        for (var i = 0; i < 5; i++)
        {
            await store.SetAsync(_name, new CachedAnswer("k" + i, "{}", Unit(1, i, 0), now, 60 + i, "openai/gpt-4o", 5), CancellationToken.None);
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = connection.GetDatabase();
        Assert.Equal(3, await db.SortedSetLengthAsync($"turnpike:ai-semantic-cache:{_name}:index"));
        Assert.False(await db.KeyExistsAsync($"turnpike:ai-semantic-cache:{_name}:k0")); // the nearest expiry dropped, hash and all
        Assert.True(await db.KeyExistsAsync($"turnpike:ai-semantic-cache:{_name}:k4"));

        var hit = await store.SearchAsync(_name, Unit(1, 4, 0), DistanceMetric.Cosine, 0.001, CancellationToken.None);
        Assert.Equal("k4", hit!.Value.Answer.Key);
        Assert.Null(await store.SearchAsync("another", Unit(1, 4, 0), DistanceMetric.Cosine, 0.001, CancellationToken.None));
        Assert.Equal("k3", (await store.GetAsync(_name, "k3", CancellationToken.None))!.Key);

        time.Advance(TimeSpan.FromSeconds(63)); // k3 (TTL 63) expired for the edge's clock, k4 (64) lives one more second
        Assert.Null(await store.GetAsync(_name, "k3", CancellationToken.None));
        Assert.Null(await store.SearchAsync(_name, Unit(1, 3, 0), DistanceMetric.Cosine, 0.001, CancellationToken.None));
        Assert.NotNull(await store.SearchAsync(_name, Unit(1, 4, 0), DistanceMetric.Cosine, 0.001, CancellationToken.None));
    }
}
