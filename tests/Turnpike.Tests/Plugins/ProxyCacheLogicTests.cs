using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Turnpike.Edge.Plugins.ProxyCache;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>proxy-cache's pure parts: the cache key, Cache-Control, the bounded LRU memory, collapsing, and the config.</summary>
[Fast]
public sealed class ProxyCacheLogicTests
{
    private static readonly Guid Route = Guid.Parse("11111111-2222-3333-4444-555555555555");

    private static string Key(string query = "", Dictionary<string, StringValues>? headers = null, string[]? varyQuery = null, string[]? varyHeaders = null, Guid? consumer = null, string uri = "/a") =>
        ProxyCacheKey.Build(consumer, Route, "GET", uri, new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)), new HeaderDictionary(headers ?? []), varyQuery ?? [], varyHeaders ?? []);

    private static ProxyCacheStore Store(long memory = 1024 * 1024, long maxEntry = 64 * 1024) =>
        new(Options.Create(new ProxyCacheOptions { MemorySize = memory, MaxEntrySize = maxEntry }));

    private static CachedResponse Entry(string key, int bodyBytes, long storedAt = 1000, long ttl = 60, long storageTtl = 60, Guid? plugin = null) =>
        new(key, plugin ?? Guid.Empty, "kong_db_cache", 200, [("Content-Type", ["text/plain"])], new byte[bodyBytes], storedAt, ttl, storageTtl);

    [Fact]
    public void The_key_is_Kongs_sha256_of_prefix_method_uri_sorted_params_and_vary_headers()
    {
        var key = Key("b=2&a=1&flag");
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Route}|GET|/a|a=1:b=2:flag|")));
        Assert.Equal(expected, key);
        Assert.Equal(key, Key("flag&a=1&b=2"));
    }

    [Fact]
    public void Only_varied_parts_change_the_key_and_consumers_never_share_one()
    {
        Assert.Equal(Key("a=1&utm=x", varyQuery: ["a"]), Key("a=1&utm=y", varyQuery: ["a"]));
        Assert.NotEqual(Key("a=1"), Key("a=2"));
        Assert.Equal(Key(headers: new() { ["x-other"] = "1" }), Key(headers: new() { ["x-other"] = "2" }));
        Assert.NotEqual(Key(headers: new() { ["accept-language"] = "fr" }, varyHeaders: ["accept-language"]), Key(headers: new() { ["accept-language"] = "de" }, varyHeaders: ["accept-language"]));
        Assert.NotEqual(Key(consumer: Guid.NewGuid()), Key(consumer: Guid.NewGuid()));
        Assert.NotEqual(Key(uri: "/A"), Key(uri: "/a"));
    }

    [Fact]
    public void A_hostile_query_or_header_still_makes_a_64_hex_digit_key()
    {
        var query = string.Join("&", Enumerable.Range(0, 500).Select(i => $"p{i}=%0d%0a{new string('x', 20)}"));
        var key = Key(query, new() { ["x-v"] = new string('\u00e9', 10_000) + "\r\n" }, varyHeaders: ["x-v"]);
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Theory]
    [InlineData("max-age=60, public", false, false, false, 60L, null)]
    [InlineData("private, no-store", true, false, true, null, null)]
    [InlineData("no-cache, s-maxage=10, max-age=5", false, true, false, 5L, 10L)]
    [InlineData("max-age=abc", false, false, false, null, null)]
    [InlineData("max-age=999999999999999999999999", false, false, false, (long)int.MaxValue, null)]
    [InlineData("MAX-AGE=\"7\"", false, false, false, 7L, null)]
    public void Cache_control_directives_are_read_leniently(string header, bool noStore, bool noCache, bool isPrivate, long? maxAge, long? sMaxAge)
    {
        var cc = CacheControl.Parse(header);
        Assert.Equal((noStore, noCache, isPrivate, maxAge, sMaxAge), (cc.NoStore, cc.NoCache, cc.Private, cc.MaxAge, cc.SharedMaxAge));
    }

    [Fact]
    public void The_memory_never_exceeds_its_size_and_evicts_the_least_recently_used()
    {
        var store = Store(memory: 1024 * 1024, maxEntry: 64 * 1024);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(store.Set(Entry("k" + i, 30_000)));
            Assert.True(store.Bytes <= 1024 * 1024);
            if (i == 10)
            {
                Assert.NotNull(store.Get("k0", 1000)); // used recently: kept over k1...
            }
        }

        Assert.True(store.Evictions > 0);
        Assert.Null(store.Get("k1", 1000));
        Assert.NotNull(store.Get("k99", 1000));
        Assert.False(store.Set(Entry("huge", 100_000)));
    }

    [Fact]
    public void An_entry_past_its_storage_ttl_is_gone_and_purges_act_by_key_and_plugin()
    {
        var store = Store();
        var plugin = Guid.NewGuid();
        store.Set(Entry("old", 10, storedAt: 1000, storageTtl: 5));
        store.Set(Entry("mine", 10, plugin: plugin));
        store.Set(Entry("other", 10));
        Assert.NotNull(store.Get("old", 1004));
        Assert.Null(store.Get("old", 1005));
        Assert.False(store.Remove("other", plugin));
        store.Clear(plugin);
        Assert.Null(store.Get("mine", 1000));
        Assert.NotNull(store.Get("other", 1000));
        store.Clear();
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public async Task Concurrent_misses_for_one_key_have_one_leader_and_the_others_get_what_it_stored()
    {
        var collapsing = new MissCollapsing();
        Assert.Null(collapsing.JoinOrLead("k"));
        var followers = Enumerable.Range(0, 5).Select(_ => collapsing.JoinOrLead("k")!).ToArray();
        Assert.All(followers, f => Assert.False(f.IsCompleted));
        var entry = Entry("k", 1);
        collapsing.Complete("k", entry);
        Assert.All(await Task.WhenAll(followers), f => Assert.Same(entry, f));
        Assert.Null(collapsing.JoinOrLead("k")); // the next miss leads again
        Assert.Equal(1, collapsing.InFlight);
    }

    [Fact]
    public void Defaults_are_Kongs_and_strategy_is_required()
    {
        var plugin = new ProxyCachePlugin(Store(), new MissCollapsing(), Options.Create(new ProxyCacheOptions()), TimeProvider.System);
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse("""{"strategy":"memory"}""")!.AsObject(), errors, "config."));
        Assert.Empty(errors.All);
        Assert.Equal("[200,301,404]", stored["response_code"]!.ToJsonString());
        Assert.Equal("""["GET","HEAD"]""", stored["request_method"]!.ToJsonString());
        Assert.Equal("""["text/plain","application/json"]""", stored["content_type"]!.ToJsonString());
        Assert.Equal(300, stored["cache_ttl"]!.GetValue<int>());
        Assert.Equal("kong_db_cache", stored["memory"]!["dictionary_name"]!.GetValue<string>());
        Assert.True(stored["response_headers"]!["X-Cache-Status"]!.GetValue<bool>());
        Assert.False(stored["cache_control"]!.GetValue<bool>());

        errors = new FieldErrors();
        plugin.ReadConfig(new FieldReader(JsonNode.Parse("""{"request_method":["DELETE"],"cache_ttl":0,"vary_headers":["bad header"]}""")!.AsObject(), errors, "config."));
        Assert.Equal("required field missing", errors.All["config.strategy"]);
        Assert.Equal("value must be greater than 0", errors.All["config.cache_ttl"]);
        Assert.StartsWith("expected one of: HEAD, GET, POST, PATCH, PUT", errors.All["config.request_method[0]"]);
        Assert.Contains("config.vary_headers[0]", errors.All.Keys);
    }
}
