using System.Net;
using Turnpike.Edge.Upstreams;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Picks where an upstream's next request goes. Its endpoints are its targets of weight above 0, a target
/// named by DNS contributing one endpoint per address (each with the target's weight) once
/// <see cref="TargetResolver"/> has resolved it, refreshed as the records' TTLs run out.
/// Round-robin is weighted and smooth (as nginx does it: each pick goes to the endpoint furthest behind its
/// share, so a 3:1 weighting sends exactly 3 of every 4 requests). Consistent hashing places each endpoint on
/// a ring at points in proportion to its weight (<c>slots</c>/1,000 per unit) and sends a request to the first
/// point at or after its key's hash: an endpoint added or removed moves only the keys next to its points.
/// least-connections and latency pick by requests in flight (and recent latency) per weight. Unhealthy
/// endpoints (health checks) are skipped. Thread-safe; the endpoint set is swapped whole.
/// </summary>
internal sealed class UpstreamBalancer
{
    /// <summary>Bounds a ring's size; weights stay proportional up to this many points per endpoint.</summary>
    private const int MaxPointsPerEndpoint = 65_536;

    private readonly Lock _lock = new();
    private readonly HealthCheckSettings? _checks;
    private readonly TargetHealthRegistry? _registry;
    private readonly bool _leastConnections;
    private readonly bool _latency;
    private volatile EndpointSet _set;
    private Dictionary<string, string[]?> _resolvedWith = [];

    public UpstreamBalancer(UpstreamEntity upstream, IEnumerable<TargetEntity> targets, TargetHealthRegistry? registry = null, TargetResolver? resolver = null)
    {
        Upstream = upstream;
        Targets = [.. targets.Where(t => t.Weight > 0).OrderBy(t => t.Id)];
        _registry = registry;
        _leastConnections = upstream.Algorithm == "least-connections";
        _latency = upstream.Algorithm == "latency";
        _checks = upstream.Healthchecks is { } json && HealthCheckSettings.Parse(json) is { } settings && (settings.ActiveOn || settings.PassiveOn) ? settings : null;
        _set = Build([], resolver);
    }

    public UpstreamEntity Upstream { get; }

    /// <summary>The targets that take traffic, in a fixed order.</summary>
    public TargetEntity[] Targets { get; }

    /// <summary>True when requests should bring a hash key (consistent hashing).</summary>
    public bool HashesRequests => Upstream.Algorithm == "consistent-hashing";

    /// <summary>The host names among the targets (resolved by DNS).</summary>
    public IEnumerable<string> HostNames => Targets.Select(t => TargetResolver.Split(t.Target).Host).Where(h => !TargetResolver.IsAddress(h)).Distinct();

    /// <summary>The endpoints whose health this balancer follows (empty without health checks).</summary>
    public IEnumerable<TargetHealth> CheckedTargets => _set.Endpoints.Select(e => e.Health).OfType<TargetHealth>();

    /// <summary>
    /// Each target's addresses and their state as Kong's <c>kong_upstream_target_health</c> names them
    /// (<c>healthchecks_off</c>, <c>healthy</c>, <c>unhealthy</c>; <c>dns_error</c> with no address for a name that
    /// resolved to nothing). For the status listener's scrape, not the proxy path.
    /// </summary>
    public IEnumerable<(string Target, string Address, string State)> TargetStates()
    {
        var endpoints = _set.Endpoints.ToDictionary(e => e.HostPort, StringComparer.OrdinalIgnoreCase);
        foreach (var target in Targets)
        {
            var (host, port) = TargetResolver.Split(target.Target);
            string[] addresses = TargetResolver.IsAddress(host) ? [target.Target]
                : _resolvedWith.GetValueOrDefault(host) is { Length: > 0 } resolved ? [.. resolved.Select(a => TargetResolver.Join(a, port))]
                : endpoints.ContainsKey(target.Target) ? [target.Target] : [];
            if (addresses.Length == 0)
            {
                yield return (target.Target, "", "dns_error");
            }

            foreach (var address in addresses)
            {
                var health = endpoints.GetValueOrDefault(address)?.Health;
                yield return (target.Target, address, health is null ? "healthchecks_off" : health.IsHealthy ? "healthy" : "unhealthy");
            }
        }
    }

    /// <summary>True when the resolver has answers this balancer's endpoints were not built from.</summary>
    public bool NeedsRefresh(TargetResolver resolver) => _resolvedWith.Any(r => !ReferenceEquals(resolver.Addresses(r.Key), r.Value));

    /// <summary>Rebuilds the endpoints from what the resolver now knows; endpoints that stay keep their counts and health.</summary>
    public void Refresh(TargetResolver resolver)
    {
        lock (_lock)
        {
            _set = Build(_set.Endpoints, resolver);
        }
    }

    /// <summary>
    /// The endpoint for a request with this hash key; <paramref name="attempt"/> &gt; 0 (a retry) moves on to
    /// another endpoint. Null when no endpoint takes traffic.
    /// </summary>
    public Endpoint? Next(string? hashKey, int attempt)
    {
        var set = _set;
        if (set.Endpoints.Length == 0)
        {
            return null;
        }

        if (_leastConnections || _latency)
        {
            return LeastLoaded(set, attempt);
        }

        return hashKey is null || set.RingPoints.Length == 0 ? NextHealthy(set) : OnRing(set, Hash(hashKey), attempt);
    }

    /// <summary>Counts a proxied attempt's outcome against its endpoint: no longer in flight, its latency, passive health.</summary>
    public void Observe(Endpoint? endpoint, bool connectFailed, bool timedOut, int status, long latencyMs)
    {
        if (endpoint is null)
        {
            return;
        }

        if (_leastConnections || _latency)
        {
            Interlocked.Decrement(ref endpoint.InFlight);
        }

        if (_latency && !connectFailed)
        {
            lock (_lock)
            {
                // A moving average that forgets in a few dozen requests, so an endpoint that slows down loses traffic quickly.
                endpoint.LatencyEwma = endpoint.LatencyEwma == 0 ? latencyMs + 1 : (0.9 * endpoint.LatencyEwma) + (0.1 * (latencyMs + 1));
            }
        }

        if (_checks is not { PassiveOn: true } checks || endpoint.Health is not { } health)
        {
            return;
        }

        if (connectFailed)
        {
            health.Failed(HealthFailure.Tcp, active: false);
        }
        else if (timedOut)
        {
            health.Failed(HealthFailure.Timeout, active: false);
        }
        else if (Array.IndexOf(checks.Passive.Unhealthy.HttpStatuses, status) >= 0)
        {
            health.Failed(HealthFailure.Http, active: false);
        }
        else if (Array.IndexOf(checks.Passive.Healthy.HttpStatuses, status) >= 0)
        {
            health.Succeeded(active: false);
        }
    }

    /// <summary>An admin's <c>healthy</c>/<c>unhealthy</c> for the target, or for this one of its addresses, applied once on this edge.</summary>
    private static void ApplyOverrides(TargetEntity target, string hostPort, TargetHealth? health)
    {
        if (health is not null && target.HealthOverrides is { } overrides)
        {
            health.Apply(overrides.Where(o => o.Address is null || string.Equals(o.Address, hostPort, StringComparison.OrdinalIgnoreCase)));
        }
    }

    /// <summary>True when <paramref name="upstream"/> and <paramref name="targets"/> are the very records this balancer was built from.</summary>
    public bool IsFor(UpstreamEntity upstream, IEnumerable<TargetEntity> targets) =>
        ReferenceEquals(Upstream, upstream) && Targets.SequenceEqual(targets.Where(t => t.Weight > 0).OrderBy(t => t.Id), ReferenceEqualityComparer.Instance);

    private EndpointSet Build(Endpoint[] previous, TargetResolver? resolver)
    {
        var known = previous.ToDictionary(e => e.HostPort);
        var endpoints = new List<Endpoint>();
        _resolvedWith = HostNames.ToDictionary(h => h, h => resolver?.Addresses(h), StringComparer.OrdinalIgnoreCase);
        foreach (var target in Targets)
        {
            var (host, port) = TargetResolver.Split(target.Target);
            var isAddress = TargetResolver.IsAddress(host);
            var addresses = isAddress ? null : resolver?.Addresses(host);

            // Kong's Host for a target: the upstream's host_header, else the target's own name (an address needs none:
            // the request's authority is already it).
            var hostName = Upstream.HostHeader is { } header ? CompiledService.FormatHost(header) : isAddress ? null : host;
            foreach (var hostPort in addresses is { Length: > 0 } ? addresses.Select(a => TargetResolver.Join(a, port)) : [target.Target])
            {
                if (known.GetValueOrDefault(hostPort) is { } same && same.Weight == target.Weight && same.HostName == hostName)
                {
                    ApplyOverrides(target, hostPort, same.Health);
                    endpoints.Add(same);
                    continue;
                }

                var health = _checks is null || _registry is null ? null : _registry.For(Upstream.Id, hostPort, _checks);
                var endpoint = new Endpoint(hostPort, hostName, port, target.Weight, health);
                if (health is not null)
                {
                    health.Host = endpoint.HttpHost; // probes are plain HTTP
                }

                ApplyOverrides(target, hostPort, health);
                endpoints.Add(endpoint);
            }
        }

        var set = new EndpointSet([.. endpoints.DistinctBy(e => e.HostPort)]);
        if (HashesRequests && set.Endpoints.Length > 0)
        {
            // Points per unit of weight are fixed by slots alone, never by the other endpoints: adding or removing
            // one leaves every other endpoint's points where they were, so keys move only to or from it.
            var perWeight = Math.Max(1, Upstream.Slots / 1000);
            var ring = set.Endpoints
                .SelectMany((e, i) => Enumerable.Range(0, Math.Clamp(e.Weight * perWeight, 1, MaxPointsPerEndpoint)).Select(k => (Point: Hash($"{e.HostPort}#{k}"), Owner: i)))
                .OrderBy(p => p.Point)
                .ToArray();
            set.RingPoints = [.. ring.Select(p => p.Point)];
            set.RingOwners = [.. ring.Select(p => p.Owner)];
        }

        return set;
    }

    private static Endpoint? OnRing(EndpointSet set, uint hash, int attempt)
    {
        // From the key's point on: the first healthy endpoint, or on a retry the next different healthy one.
        var index = Array.BinarySearch(set.RingPoints, hash);
        index = index < 0 ? ~index : index;
        var previous = -1;
        for (var step = 0; step < set.RingPoints.Length; step++)
        {
            var owner = set.RingOwners[(index + step) % set.RingPoints.Length];
            if (owner == previous || !set.Endpoints[owner].IsHealthy)
            {
                continue;
            }

            if (attempt-- == 0)
            {
                return set.Endpoints[owner];
            }

            previous = owner;
        }

        return previous < 0 ? null : set.Endpoints[previous];
    }

    /// <summary>Weighted round-robin over the healthy endpoints; null when none is.</summary>
    private Endpoint? NextHealthy(EndpointSet set)
    {
        for (var tries = 0; tries < set.Endpoints.Length; tries++)
        {
            var endpoint = set.Endpoints[RoundRobin(set)];
            if (endpoint.IsHealthy)
            {
                return endpoint;
            }
        }

        return null;
    }

    private int RoundRobin(EndpointSet set)
    {
        var endpoints = set.Endpoints;
        if (endpoints.Length == 1)
        {
            return 0;
        }

        lock (_lock)
        {
            var best = 0;
            long total = 0;
            for (var i = 0; i < endpoints.Length; i++)
            {
                set.Current[i] += endpoints[i].Weight;
                total += endpoints[i].Weight;
                if (set.Current[i] > set.Current[best])
                {
                    best = i;
                }
            }

            set.Current[best] -= total;
            return best;
        }
    }

    /// <summary>
    /// least-connections: the healthy endpoint with the fewest requests in flight for its weight; latency: the
    /// lowest recent latency times requests in flight, for its weight (one not yet measured goes first; the
    /// averages of endpoints not picked fade, so none is left out for good). A retry skips the best
    /// <paramref name="attempt"/> endpoints. The pick counts as in flight.
    /// </summary>
    private Endpoint? LeastLoaded(EndpointSet set, int attempt)
    {
        lock (_lock)
        {
            Endpoint? pick = null;
            for (var skipped = 0; skipped <= attempt; skipped++)
            {
                Endpoint? best = null;
                var bestScore = double.MaxValue;
                foreach (var endpoint in set.Endpoints)
                {
                    var score = (_latency ? endpoint.LatencyEwma : 1) * (endpoint.InFlight + 1) / endpoint.Weight;
                    if (endpoint.IsHealthy && endpoint != pick && score < bestScore)
                    {
                        (best, bestScore) = (endpoint, score);
                    }
                }

                if (best is null)
                {
                    break;
                }

                pick = best;
            }

            if (pick is not null)
            {
                pick.InFlight++;
            }

            if (_latency)
            {
                foreach (var endpoint in set.Endpoints)
                {
                    endpoint.LatencyEwma *= endpoint == pick ? 1 : 0.99;
                }
            }

            return pick;
        }
    }

    /// <summary>FNV-1a with a final mix: stable across processes, so every edge puts a key on the same endpoint.</summary>
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        return hash ^ (hash >> 16);
    }

    /// <summary>One address a request can go to (<c>host:port</c>), with what the balancer keeps about it.</summary>
    internal sealed class Endpoint(string hostPort, string? hostName, int port, int weight, TargetHealth? health)
    {
        public int InFlight;
        public double LatencyEwma;

        public string HostPort { get; } = hostPort;

        public int Weight { get; } = weight;

        public TargetHealth? Health { get; } = health;

        public bool IsHealthy => Health?.IsHealthy ?? true;

        public string HttpPrefix { get; } = "http://" + hostPort;

        public string HttpsPrefix { get; } = "https://" + hostPort;

        /// <summary>The name sent as Host (with the port unless it is the scheme's default); null: the address itself.</summary>
        public string? HostName { get; } = hostName;

        public string? HttpHost { get; } = hostName is null ? null : port == 80 ? hostName : $"{hostName}:{port}";

        public string? HttpsHost { get; } = hostName is null ? null : port == 443 ? hostName : $"{hostName}:{port}";
    }

    /// <summary>The endpoints of one moment, with the round-robin state and ring built over them.</summary>
    private sealed class EndpointSet(Endpoint[] endpoints)
    {
        public Endpoint[] Endpoints { get; } = endpoints;

        public long[] Current { get; } = new long[endpoints.Length];

        public uint[] RingPoints { get; set; } = [];

        public int[] RingOwners { get; set; } = [];
    }
}
