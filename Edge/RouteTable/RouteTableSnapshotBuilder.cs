using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Upstreams;

namespace Turnpike.Edge.RouteTable;

/// <summary>
/// Compiles entities into a <see cref="RouteTableSnapshot"/>: services to destinations, routes to a matcher,
/// plugins to chains. A change of services and routes alone (or of nothing the proxy compiles: consumers, credentials,
/// admins) compiles just those services, those routes and the routes of those services, and derives the matcher from
/// the previous one, so its cost does not grow with the table (<see cref="ProxyEntities.TakeChanges"/>). Any other
/// change takes a pass over the entities that reuses what did not change (the same entity objects), still without
/// recompiling or re-indexing every route.
/// Used by one thread at a time (the sync loop). A plugin handler that holds resources (a log queue, a tracer's
/// exporter) and is no longer in the table is disposed <see cref="RetireAfter"/> later, when the requests still running
/// on the older table have passed their log phase; the handlers in use are disposed with the builder (at shutdown).
/// </summary>
internal sealed partial class RouteTableSnapshotBuilder(
    UpstreamClients clients,
    PluginRegistry plugins,
    TargetHealthRegistry health,
    TargetResolver resolver,
    UpstreamBalancers published,
    ILogger<RouteTableSnapshotBuilder> logger,
    TimeProvider? time = null) : IDisposable
{
    /// <summary>How long a replaced handler lives on for the requests that began before its replacement.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RegexCache _regexes = new();
    private Dictionary<ServiceEntity, CompiledService> _services = new(ReferenceEqualityComparer.Instance);
    private Dictionary<Guid, CompiledRoute> _routes = [];
    private Dictionary<Guid, CompiledService> _servicesById = [];
    private List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> _chainHandlers = [];
    private string[] _pluginNames = [];
    private PluginChain _globalPlugins = PluginChain.Empty;
    private ProxyEntities? _compiledFrom;
    private Dictionary<PluginEntity, IPluginHandler?> _handlers = new(ReferenceEqualityComparer.Instance);
    private Dictionary<Guid, UpstreamBalancer> _balancers = [];
    private Dictionary<string, UpstreamBalancer> _balancersByName = [];
    private RouteMatcher _matcher = RouteMatcher.Empty;
    private Tls.CertificateDirectory _certificates = Tls.CertificateDirectory.Empty;

    /// <param name="digest">The table's <see cref="TableDigest"/>, reported as <c>configuration_hash</c>.</param>
    public RouteTableSnapshot Build(long version, ProxyEntities entities, ConsumerDirectory consumers, AdminDirectory admins, string digest = "")
    {
        if (entities.TakeChanges() is { } changes && ReferenceEquals(entities, _compiledFrom))
        {
            CompileChanges(entities, changes.Services, changes.Routes);
        }
        else
        {
            CompileAll(entities);
            _compiledFrom = entities;
        }

        return new RouteTableSnapshot(version, _matcher, consumers, admins, _pluginNames, _certificates, digest, _globalPlugins);
    }

    /// <summary>
    /// Only services and routes changed: upstreams, certificates and plugin handlers stay as compiled; the services are
    /// compiled again, and the routes that changed or belong to a service that did.
    /// </summary>
    private void CompileChanges(ProxyEntities entities, IReadOnlyCollection<Guid> serviceIds, IReadOnlyCollection<Guid> routeIds)
    {
        var routesToCompile = new HashSet<Guid>(routeIds);
        foreach (var id in serviceIds)
        {
            if (_servicesById.Remove(id, out var old))
            {
                _services.Remove(old.Entity);
            }

            if (entities.Services.TryGetValue(id, out var service) && service.Enabled)
            {
                var compiled = CompileService(service, _balancersByName);
                _services[service] = compiled;
                _servicesById[id] = compiled;
            }

            routesToCompile.UnionWith(entities.RoutesOf(id));
        }

        if (serviceIds.Count > 0)
        {
            // Pools no service uses any more go; each is disposed when the last request still forwarding with it ends.
            clients.Keep(new HashSet<UpstreamClient>(_servicesById.Values.Select(s => s.Client), ReferenceEqualityComparer.Instance));
        }

        CompileRoutes(entities, routesToCompile);
    }

    private void CompileRoutes(ProxyEntities entities, IReadOnlyCollection<Guid> routeIds)
    {
        var added = new List<CompiledRoute>();
        var removed = new List<CompiledRoute>();
        foreach (var id in routeIds)
        {
            if (_routes.Remove(id, out var old))
            {
                removed.Add(old);
            }

            if (entities.Routes.TryGetValue(id, out var route) && Compile(route, _servicesById, _chainHandlers) is { } compiled)
            {
                _routes[id] = compiled;
                added.Add(compiled);
            }
        }

        if (removed.Count + added.Count > 0)
        {
            _matcher = _matcher.With(removed, added);
        }
    }

    /// <summary>A route compiled against these services and handlers; null when its service is disabled (Kong takes its routes out of the proxy).</summary>
    private CompiledRoute? Compile(RouteEntity route, Dictionary<Guid, CompiledService> servicesById, List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> handlers)
    {
        CompiledService? service = null;
        if (route.ServiceId is { } serviceId && !servicesById.TryGetValue(serviceId, out service))
        {
            return null;
        }

        var chain = ChainFor(route, handlers);
        return _routes.TryGetValue(route.Id, out var previous) && ReferenceEquals(previous.Entity, route) && previous.Service == service && SameChain(previous.Plugins, chain)
            ? previous
            : new CompiledRoute(route, service, chain, _regexes);
    }

    private CompiledService CompileService(ServiceEntity service, Dictionary<string, UpstreamBalancer> balancers)
    {
        // Kong: a service whose host is an upstream's name balances over that upstream's targets.
        var balancer = balancers.GetValueOrDefault(service.Host);

        // The TLS policy is resolved in this version's certificates: a changed CA or client certificate gives the
        // service a new pool even when the service itself did not change.
        var policy = Tls.UpstreamTlsPolicy.For(service, _certificates);
        var client = clients.Get(new UpstreamClientKey(service.ConnectTimeout, policy));
        if (_services.GetValueOrDefault(service) is { } known && known.Balancer == balancer && known.Client == client)
        {
            return known;
        }

        WarnMissingCertificates(service, policy);
        return new CompiledService(service, client, balancer);
    }

    private void CompileAll(ProxyEntities entities)
    {
        // First: services' upstream TLS refers to certificates and CA certificates by id.
        _certificates = Tls.CertificateDirectory.Build(entities.Certificates, entities.Snis.Values, entities.CaCertificates, _certificates);
        var (services, routes, pluginInstances) = (entities.Services, entities.Routes, entities.Plugins);
        var balancers = Balancers(entities);
        var compiledServices = new Dictionary<ServiceEntity, CompiledService>(services.Count, ReferenceEqualityComparer.Instance);
        var servicesById = new Dictionary<Guid, CompiledService>(services.Count);
        var clientsInUse = new HashSet<UpstreamClient>(ReferenceEqualityComparer.Instance);
        foreach (var service in services.Values.Where(s => s.Enabled))
        {
            var compiled = CompileService(service, balancers);
            compiledServices[service] = compiled;
            servicesById[service.Id] = compiled;
            clientsInUse.Add(compiled.Client);
        }

        // Pools no service uses any more go; each is disposed when the last request still forwarding with it ends.
        clients.Keep(clientsInUse);

        var handlers = CreateHandlers(pluginInstances.Values);
        var compiledRoutes = new Dictionary<Guid, CompiledRoute>(routes.Count);
        var added = new List<CompiledRoute>();
        foreach (var route in routes.Values)
        {
            if (Compile(route, servicesById, handlers) is not { } compiled)
            {
                continue;
            }

            compiledRoutes[route.Id] = compiled;
            if (!_routes.TryGetValue(route.Id, out var previous) || previous != compiled)
            {
                added.Add(compiled);
            }
        }

        var removed = _routes.Where(r => !compiledRoutes.TryGetValue(r.Key, out var kept) || kept != r.Value).Select(r => r.Value).ToList();
        _matcher = removed.Count == _routes.Count ? RouteMatcher.Of(added) : _matcher.With(removed, added);
        _services = compiledServices;
        _servicesById = servicesById;
        _chainHandlers = handlers;
        _globalPlugins = ChainFor(null, handlers);
        _routes = compiledRoutes;
        _pluginNames = pluginInstances.Values.Select(p => p.Name).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>One balancer per upstream, by name; an upstream whose record and targets did not change keeps its balancer (and its place in the rotation).</summary>
    private Dictionary<string, UpstreamBalancer> Balancers(ProxyEntities entities)
    {
        var targetsOf = entities.Targets.Values.ToLookup(t => t.UpstreamId);
        var built = new Dictionary<Guid, UpstreamBalancer>(entities.Upstreams.Count);
        var byName = new Dictionary<string, UpstreamBalancer>(StringComparer.OrdinalIgnoreCase);
        foreach (var upstream in entities.Upstreams.Values)
        {
            var targets = targetsOf[upstream.Id];
            var balancer = _balancers.GetValueOrDefault(upstream.Id) is { } known && known.IsFor(upstream, targets) ? known : new UpstreamBalancer(upstream, targets, health, resolver);
            built[upstream.Id] = balancer;
            byName[upstream.Name] = balancer;
        }

        health.Keep(built.Values.SelectMany(b => b.CheckedTargets).Select(t => (t.UpstreamId, t.Target)).ToHashSet());
        _balancers = built;
        _balancersByName = byName;
        published.Publish([.. built.Values]);
        return byName;
    }

    private List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> CreateHandlers(IEnumerable<PluginEntity> instances)
    {
        var created = new Dictionary<PluginEntity, IPluginHandler?>(ReferenceEqualityComparer.Instance);
        var handlers = new List<(PluginEntity, IGatewayPlugin, IPluginHandler)>();
        foreach (var instance in instances.Where(p => p.Enabled))
        {
            var plugin = plugins.Find(instance.Name);
            if (!_handlers.TryGetValue(instance, out var handler))
            {
                handler = plugin?.CreateHandler(JsonNode.Parse(instance.Config)!.AsObject(), instance.Id);
                if (handler is null)
                {
                    LogUnknownPlugin(logger, instance.Name, instance.Id);
                }
            }

            created[instance] = handler;
            if (handler is not null)
            {
                handlers.Add((instance, plugin!, handler));
            }
        }

        foreach (var (instance, old) in _handlers)
        {
            if (old is not null && !created.ContainsKey(instance))
            {
                _ = RetireAsync(old);
            }
        }

        _handlers = created;
        return handlers;
    }

    /// <summary>Disposes a replaced or removed handler once the requests that may still hold it are over.</summary>
    private async Task RetireAsync(IPluginHandler handler)
    {
        if (handler is not (IDisposable or IAsyncDisposable))
        {
            return;
        }

        await Task.Delay(RetireAfter, _time);
        DisposeHandler(handler);
    }

    private void DisposeHandler(IPluginHandler handler)
    {
        try
        {
            switch (handler)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }
        }
        catch (Exception ex)
        {
            LogDisposeFailed(logger, handler.GetType().Name, ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>At shutdown: the handlers in use flush what they hold (log queues, spans) and close.</summary>
    public void Dispose()
    {
        foreach (var handler in _handlers.Values)
        {
            if (handler is not null)
            {
                DisposeHandler(handler);
            }
        }

        _handlers = new(ReferenceEqualityComparer.Instance);
    }

    /// <summary>
    /// Kong's precedence: per plugin name the most specific instance wins, consumer scopes included
    /// (consumer+route+service, consumer+route, consumer+service, route+service, consumer, route, service,
    /// global). The consumer-scoped winners are kept per consumer in the plugin's slot.
    /// </summary>
    /// <param name="route">Null for the global chain: the instances scoped to no route and no service.</param>
    private static PluginChain ChainFor(RouteEntity? route, List<(PluginEntity Instance, IGatewayPlugin Plugin, IPluginHandler Handler)> handlers)
    {
        if (handlers.Count == 0)
        {
            return PluginChain.Empty;
        }

        var byName = new Dictionary<string, (IGatewayPlugin Plugin, int Rank, IPluginHandler? Handler, Dictionary<Guid, (int Rank, IPluginHandler Handler)> Consumers)>(StringComparer.Ordinal);
        foreach (var (instance, plugin, handler) in handlers)
        {
            if (Rank(instance, route) is not { } rank)
            {
                continue;
            }

            if (!byName.TryGetValue(instance.Name, out var slot))
            {
                slot = (plugin, -1, null, []);
            }

            if (instance.ConsumerId is { } consumerId)
            {
                if (!slot.Consumers.TryGetValue(consumerId, out var current) || current.Rank < rank)
                {
                    slot.Consumers[consumerId] = (rank, handler);
                }
            }
            else if (slot.Rank < rank)
            {
                slot = slot with { Rank = rank, Handler = handler };
            }

            byName[instance.Name] = slot;
        }

        return byName.Count == 0 ? PluginChain.Empty : new PluginChain([.. byName.Values
            .OrderByDescending(s => s.Plugin.Priority)
            .Select(s =>
            {
                // A consumer's instance replaces the general one only where it is the more specific of the two.
                var overrides = s.Consumers.Where(c => c.Value.Rank > s.Rank).ToDictionary(c => c.Key, c => c.Value.Handler);
                return new PluginSlot(s.Handler, overrides.Count > 0 ? overrides : null, s.Plugin.Name);
            })]);
    }

    /// <summary>How specific an instance is for <paramref name="route"/> (higher wins); null when it does not apply to it.</summary>
    private static int? Rank(PluginEntity instance, RouteEntity? route)
    {
        if ((instance.RouteId is { } r && r != route?.Id) || (instance.ServiceId is { } s && s != route?.ServiceId))
        {
            return null;
        }

        return (instance.ConsumerId is not null, instance.RouteId is not null, instance.ServiceId is not null) switch
        {
            (true, true, true) => 7,
            (true, true, false) => 6,
            (true, false, true) => 5,
            (false, true, true) => 4,
            (true, false, false) => 3,
            (false, true, false) => 2,
            (false, false, true) => 1,
            _ => 0,
        };
    }

    private static bool SameChain(PluginChain a, PluginChain b) => a.SameAs(b);

    /// <summary>One line when a service's TLS names certificates this table does not hold (or that no longer load): it fails closed, and says why.</summary>
    private void WarnMissingCertificates(ServiceEntity service, Tls.UpstreamTlsPolicy policy)
    {
        if (policy == Tls.UpstreamTlsPolicy.Default)
        {
            return;
        }

        var name = service.Name ?? service.Id.ToString();
        if (service.ClientCertificateId is { } clientId && policy.ClientCertificate is null)
        {
            LogMissingClientCertificate(logger, name, clientId);
        }

        if (policy.OwnTrustStore && service.CaCertificates!.Any(id => _certificates.Authority(id) is null))
        {
            LogMissingAuthorities(logger, name);
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Service {Service}: client_certificate {Id} is not available; its upstream gets no client certificate")]
    private static partial void LogMissingClientCertificate(ILogger logger, string service, Guid id);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Service {Service}: some of its ca_certificates are not available; only the others are trusted (none: nothing is)")]
    private static partial void LogMissingAuthorities(ILogger logger, string service);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Disposing a retired plugin handler {Handler} failed ({Exception}: {Reason})")]
    private static partial void LogDisposeFailed(ILogger logger, string handler, string exception, string reason);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Plugin {Name} (instance {Id}) is not available on this edge and is skipped")]
    private static partial void LogUnknownPlugin(ILogger logger, string name, Guid id);
}
