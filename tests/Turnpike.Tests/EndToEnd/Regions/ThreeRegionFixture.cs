using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd.Regions;

/// <summary>
/// Three regions on one machine as the issue draws them: <c>us</c> (the home for writes), <c>eu</c> and <c>ap</c>, each its
/// own cluster on its own PostgreSQL database (one server, three databases) with a silo and two edges. Every ordered
/// pair of regions reaches the other's link through its own <see cref="DelayProxy"/> (40 ms each way), so a test cuts
/// one region off by stopping the paths into and out of it.
/// </summary>
public sealed class ThreeRegionFixture : IAsyncLifetime
{
    public const string Home = "us";
    public static readonly string[] Names = [Home, "eu", "ap"];
    public static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(40);

    private readonly Dictionary<(string From, string To), DelayProxy> _paths = [];

    internal DatabaseServer Postgres { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    internal Dictionary<string, RegionNodes> Regions { get; } = new(StringComparer.Ordinal);

    internal IEnumerable<EdgeNode> AllEdges => Names.SelectMany(n => Regions[n].Edges);

    /// <summary>The way from one region's processes to another region's link.</summary>
    internal DelayProxy Path(string from, string to) => _paths[(from, to)];

    /// <summary>Cuts <paramref name="region"/> off: no link request gets in or out until <see cref="Rejoin"/>.</summary>
    internal void Isolate(string region)
    {
        foreach (var ((from, to), path) in _paths)
        {
            if (from == region || to == region)
            {
                path.Partition();
            }
        }
    }

    internal void Rejoin(string region)
    {
        foreach (var ((from, to), path) in _paths)
        {
            if (from == region || to == region)
            {
                path.Heal();
            }
        }
    }

    /// <summary>The settings every process of a region shares: its name, the home, the secret, and its ways to the others.</summary>
    internal Dictionary<string, string> Environment(string region, int? linkPort = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Turnpike__Region"] = region,
            ["Turnpike__Regions__Home"] = Home,
            ["Turnpike__Regions__Secret"] = TwoRegionFixture.Secret,
        };
        foreach (var peer in Names.Where(n => n != region))
        {
            environment[$"Turnpike__Regions__Peers__{peer}__Link"] = Path(region, peer).Url;
        }

        if (linkPort is { } port)
        {
            environment["Turnpike__Regions__Link__Urls"] = $"http://127.0.0.1:{port}";
        }

        return environment;
    }

    public async Task InitializeAsync()
    {
        Postgres = await DatabaseServer.StartPostgresAsync();
        Upstream = await UpstreamServer.StartAsync();
        var links = Names.ToDictionary(n => n, _ => FreePorts.Next());
        foreach (var from in Names)
        {
            foreach (var to in Names.Where(n => n != from))
            {
                _paths[(from, to)] = DelayProxy.Start(links[to], OneWay);
            }
        }

        var backends = new Dictionary<string, ClusterBackend>();
        foreach (var name in Names)
        {
            backends[name] = ClusterBackend.Postgres(await Postgres.CreatePostgresDatabaseAsync("turnpike_" + name));
        }

        var silos = await Task.WhenAll(Names.Select(n => SiloNode.StartAsync(backend: backends[n], extraEnvironment: Environment(n, links[n]))));
        for (var i = 0; i < Names.Length; i++)
        {
            Regions[Names[i]] = new RegionNodes(Names[i], backends[Names[i]], silos[i], links[Names[i]]);
        }

        foreach (var region in Regions.Values)
        {
            var edges = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => EdgeNode.StartClientAsync(region.Backend, extraEnvironment: Environment(region.Name))));
            region.Edges.AddRange(edges);
        }
    }

    /// <summary>Starts a region's silo again after it was killed: same ports, database and settings.</summary>
    internal async Task RestartSiloAsync(string region) =>
        Regions[region].Silo = await Regions[region].Silo.RestartAsync(Environment(region, Regions[region].LinkPort));

    public async Task DisposeAsync()
    {
        foreach (var region in Regions.Values)
        {
            foreach (var edge in region.Edges)
            {
                await edge.DisposeAsync();
            }

            await region.Silo.DisposeAsync();
        }

        foreach (var path in _paths.Values)
        {
            await path.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}

/// <summary>One region's processes in <see cref="ThreeRegionFixture"/>.</summary>
internal sealed class RegionNodes(string name, ClusterBackend backend, SiloNode silo, int linkPort)
{
    public int LinkPort { get; } = linkPort;

    public string Name { get; } = name;

    public ClusterBackend Backend { get; } = backend;

    public SiloNode Silo { get; set; } = silo;

    public List<EdgeNode> Edges { get; } = [];
}
