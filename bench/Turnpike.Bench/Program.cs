using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Turnpike.Bench;

// Benchmarks run on demand, never in CI: each prints its figures and ratios measured in the same run.
var mode = args.FirstOrDefault() ?? "help";
switch (mode)
{
    case "propagation":
        await PropagationBenchmark.RunAsync(edges: Arg(args, "--edges", 4), changes: Arg(args, "--changes", 200));
        break;
    case "regions":
        await RegionsBenchmark.RunAsync(oneWayMs: [Arg(args, "--one-way", 40), Arg(args, "--one-way-2", 80)], writes: Arg(args, "--writes", 60));
        break;
    case "fleet":
        await FleetBenchmark.RunAsync(edgeCount: Arg(args, "--edges", 200), siloCount: Arg(args, "--silos", 3), writes: Arg(args, "--writes", 20), shipped: Array.IndexOf(args, "shipped") >= 0,
            overrides: Repeated(args, "--env"));
        break;
    case "scale":
        await ScaleBenchmark.RunAsync(count: Arg(args, "--count", 20_000));
        break;
    case "matching":
        MatchingBenchmark.Run();
        break;
    case "metering":
        await MeteringBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 32));
        break;
    case "meter-storage":
        await MeterStorageBenchmark.RunAsync(rounds: Arg(args, "--rounds", 3), seconds: Arg(args, "--seconds", 10), consumers: Arg(args, "--consumers", 100_000),
            active: Arg(args, "--active", 100_000), edges: Arg(args, "--edges", 4), baselineSilo: Text(args, "--baseline"));
        break;
    case "export":
        await ExportBenchmark.RunAsync(consumers: Arg(args, "--consumers", 100_000), hours: Arg(args, "--hours", 24));
        break;
    case "micro":
        // In process: the benchmarks run against this build, with no project generated and restored.
        BenchmarkRunner.Run<HotPathBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)), args[1..]);
        break;
    case "proxy":
        await ProxyComparisonBenchmark.RunAsync(rounds: Arg(args, "--rounds", 3), seconds: Arg(args, "--seconds", 5), concurrencies: [Arg(args, "--low", 8), Arg(args, "--high", 64)], inlineIo: Arg(args, "--inline-io", 0) == 1);
        break;
    case "setting-ab":
        await SettingAbBenchmark.RunAsync(Repeated(args, "--env"), Repeated(args, "--both"),
            rounds: Arg(args, "--rounds", 6), seconds: Arg(args, "--seconds", 8), connections: Arg(args, "--connections", 64));
        break;
    case "reference-proxy":
        await ReferenceProxy.RunAsync(Text(args, "--kind")!, Arg(args, "--port", 0), new Uri(Text(args, "--origin")!), Arg(args, "--inline-io", 0) == 1);
        break;
    case "ai":
        await AiBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), requests: Arg(args, "--requests", 200));
        break;
    case "hostile":
        await HostileMixBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 8), attackers: Arg(args, "--attackers", 4), rate: Arg(args, "--rate", 200));
        break;
    case "tls":
        await TlsBenchmark.RunAsync(rounds: Arg(args, "--rounds", 3), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 8));
        break;
    case "ratelimit":
        await RateLimitBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 32));
        break;
    case "observability":
        await ObservabilityBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 32));
        break;
    case "dashboard":
        await DashboardPicture.RunAsync(seconds: Arg(args, "--seconds", 180), output: Text(args, "--out") ?? "docs/images/dashboard.svg");
        break;
    case "proxy-cache":
        await ProxyCacheBenchmark.RunAsync(rounds: Arg(args, "--rounds", 5), seconds: Arg(args, "--seconds", 5), connections: Arg(args, "--connections", 32));
        break;
    default:
        Console.WriteLine("usage: Turnpike.Bench micro | proxy [--rounds 3] [--seconds 5] [--low 8] [--high 64] [--inline-io 1] | propagation [--edges 4] [--changes 200] | regions [--one-way 40] [--one-way-2 80] [--writes 60] | fleet [--edges 200] [--silos 3] [--writes 20] [--profile shipped] [--env KEY=VALUE]... | scale [--count 20000] | matching | ratelimit|metering|observability [--rounds 5] [--seconds 5] [--connections 32] | export [--consumers 100000] [--hours 24] | meter-storage [--rounds 3] [--seconds 10] [--consumers 100000] [--active 100000] [--edges 4] [--baseline path/to/Turnpike.Silo.dll] | ai [--rounds 5] [--requests 200] | tls [--rounds 3] [--seconds 5] [--connections 8] | proxy-cache [--rounds 5] [--seconds 5] [--connections 32] | dashboard [--seconds 180] [--out docs/images/dashboard.svg] | hostile [--rounds 5] [--seconds 5] [--connections 8] [--attackers 4] [--rate 200] | setting-ab --env KEY=VALUE... [--both KEY=VALUE...] [--rounds 6] [--seconds 8] [--connections 64] | reference-proxy --kind yarp|yarp-handler|floor --port N --origin URL [--inline-io 1] (started by proxy)");
        break;
}

static int Arg(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static string[] Repeated(string[] args, string name) => [.. args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length).Select(p => args[p.i + 1])];

static string? Text(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
