using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Metering;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.Acl;
using Turnpike.Edge.Plugins.KeyAuth;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;
using Turnpike.RouteTable;

namespace Turnpike.Bench;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the hot path's own pieces, with allocations per call: route matching
/// over 1,000 routes, a plugin chain (key-auth + acl) on a fresh request, spending a leased rate-limit permit,
/// a local rate-limit count, and recording a request's meters.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private static readonly WindowLimit[] Limits = [new(RateLimitWindow.Second, 1_000_000_000), new(RateLimitWindow.Hour, 1_000_000_000)];

    private readonly HeaderDictionary _noHeaders = [];
    private readonly string[] _paths = [.. Enumerable.Range(0, 64).Select(i => $"/service-{i * 7}/api/orders/17")];
    private RouteMatcher _matcher = RouteMatcher.Empty;
    private RouteMatch _protected;
    private ConsumerDirectory _consumers = ConsumerDirectory.Empty;
    private QuotaLease _lease = null!;
    private LocalQuota _local = null!;
    private MeterRecorder _meters = null!;
    private Guid _consumerId;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var regexes = new RegexCache();
        _matcher = RouteMatcher.Of([.. Enumerable.Range(0, 1000).Select(i =>
            new CompiledRoute(new RouteEntity { Id = Guid.NewGuid(), Name = $"r{i}", Paths = [$"/service-{i}/api"] }, null, PluginChain.Empty, regexes))]);

        var consumer = new ConsumerEntity { Id = Guid.NewGuid(), Username = "bench" };
        _consumerId = consumer.Id;
        _consumers = ConsumerDirectory.Empty.Apply(true, [
            consumer,
            new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = consumer.Id, Key = "bench-key" },
            new AclEntity { Id = Guid.NewGuid(), ConsumerId = consumer.Id, Group = "gold" }], []);
        var keyAuth = new KeyAuthPlugin();
        var acl = new AclPlugin();
        var chain = new PluginChain([
            new PluginSlot(keyAuth.CreateHandler(keyAuth.ReadConfig(new FieldReader([], new FieldErrors())), Guid.NewGuid()), null),
            new PluginSlot(acl.CreateHandler(acl.ReadConfig(new FieldReader(new() { ["allow"] = new System.Text.Json.Nodes.JsonArray("gold") }, new FieldErrors())), Guid.NewGuid()), null)]);
        var route = new CompiledRoute(new RouteEntity { Id = Guid.NewGuid(), Paths = ["/p"] }, null, chain, regexes);
        _protected = new RouteMatch(route, 2, "/p");

        _lease = new QuotaLease(Limits, TimeProvider.System);
        _lease.Apply(new QuotaGrant { Granted = long.MaxValue / 2, Periods = [1, 1], Remaining = [0, 0], ResetSeconds = [1, 3600], ValidForMs = 1_000_000_000 }, System.Diagnostics.Stopwatch.GetTimestamp());
        _local = new LocalQuota(TimeProvider.System);
        _meters = new MeterRecorder(TimeProvider.System);
    }

    [Benchmark(Description = "match: 1,000 prefix routes")]
    public bool Match() => _matcher.Match("GET", "gateway.local", _paths[_next++ & 63], _noHeaders) is not null;

    [Benchmark(Description = "request context alone (baseline for the chain)")]
    public object Context() => new ProxyContext(NewRequest(), _protected.Route.Plugins, _protected.Route, null, _consumers, "/", "/", "/p", 0);

    [Benchmark(Description = "plugin chain: key-auth + acl")]
    public async ValueTask<bool> Chain()
    {
        var context = new ProxyContext(NewRequest(), _protected.Route.Plugins, _protected.Route, null, _consumers, "/", "/", "/p", 0);
        foreach (var slot in _protected.Route.Plugins.Slots)
        {
            if (slot.For(context.Consumer) is { } handler && !await handler.OnRequestAsync(context))
            {
                return false;
            }
        }

        return true;
    }

    [Benchmark(Description = "quota: spend a leased permit (cluster policy)")]
    public bool SpendLeasedPermit() => _lease.TryTake(1, System.Diagnostics.Stopwatch.GetTimestamp(), out _, out _);

    [Benchmark(Description = "quota: local count")]
    public bool LocalCount() => _local.TryAcquire("bench", Limits, 1).Outcome == QuotaOutcome.Admitted;

    [Benchmark(Description = "meters: record a request")]
    public void Record() => _meters.Record(_consumerId, Guid.Empty, Guid.Empty, 200, false, 0, 512, 1, null);

    private static DefaultHttpContext NewRequest()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/p";
        http.Request.Headers["apikey"] = "bench-key";
        return http;
    }
}
