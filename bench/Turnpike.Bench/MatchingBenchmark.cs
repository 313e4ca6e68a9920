using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Routing;
using Turnpike.RouteTable;

namespace Turnpike.Bench;

/// <summary>Route matching cost per request with 100 to 20,000 host and prefix routes, as a ratio to the 100-route table.</summary>
internal static class MatchingBenchmark
{
    public static void Run()
    {
        double? baseline = null;
        foreach (var count in new[] { 100, 1_000, 20_000 })
        {
            var (prefixNs, hostNs) = Measure(count);
            var (fullMs, changeMs) = IndexCost(count);
            baseline ??= prefixNs;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"matching with {count,6} routes: prefix {prefixNs,7:F1} ns/request, host+prefix {hostNs,7:F1} ns/request, prefix ratio to 100 routes {prefixNs / baseline:F2}; index all {fullMs:F2} ms, one change {changeMs:F3} ms"));
        }
    }

    /// <summary>
    /// Medians of what an edge pays to index routes: the whole table (a full snapshot), and one changed
    /// prefix route plus one changed host route (an applied change: the matcher derived from the previous one).
    /// </summary>
    public static (double FullMs, double ChangeMs) IndexCost(int count)
    {
        var routes = Compiled(count);
        var full = new List<double>();
        var change = new List<double>();
        var regexes = new RegexCache();
        for (var i = 0; i < 9; i++)
        {
            var clock = Stopwatch.StartNew();
            var matcher = RouteMatcher.Of(routes);
            full.Add(clock.Elapsed.TotalMilliseconds);

            CompiledRoute[] removed = [routes[i * 2], routes[(i * 2) + 1]];
            CompiledRoute[] added = [.. removed.Select(r => new CompiledRoute(r.Entity with { RegexPriority = i + 1 }, null, PluginChain.Empty, regexes))];
            clock.Restart();
            _ = matcher.With(removed, added);
            change.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (Percentiles.Of(full, 50), Percentiles.Of(change, 50));
    }

    public static (double PrefixNs, double HostNs) Measure(int count)
    {
        var matcher = RouteMatcher.Of(Compiled(count));
        var headers = new HeaderDictionary();
        var paths = Enumerable.Range(0, 64).Select(i => $"/service-{i * (count / 128)}/api/orders/17").ToArray();
        var hosts = Enumerable.Range(0, 64).Select(i => $"tenant-{i * (count / 128)}.example.com").ToArray();
        return (Median(() =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                _ = matcher.Match("GET", "gateway.local", paths[i & 63], headers) ?? throw new InvalidOperationException("no match");
            }
        }, 200_000), Median(() =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                _ = matcher.Match("GET", hosts[i & 63], "/orders/17", headers) ?? throw new InvalidOperationException("no match");
            }
        }, 200_000));
    }

    /// <summary>Half the routes by prefix on any host, half by host with "/": count routes in all.</summary>
    private static CompiledRoute[] Compiled(int count)
    {
        var regexes = new RegexCache();
        return [.. Enumerable.Range(0, count / 2).SelectMany(i => new[]
        {
            new RouteEntity { Id = Guid.NewGuid(), Name = $"p{i}", Paths = [$"/service-{i}/api"] },
            new RouteEntity { Id = Guid.NewGuid(), Name = $"h{i}", Hosts = [$"tenant-{i}.example.com"], Paths = ["/"] },
        }).Select(r => new CompiledRoute(r, null, PluginChain.Empty, regexes))];
    }

    private static double Median(Action run, int operations)
    {
        run();
        var samples = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            samples.Add(clock.Elapsed.TotalMilliseconds * 1_000_000 / operations);
        }

        return Percentiles.Of(samples, 50);
    }
}
