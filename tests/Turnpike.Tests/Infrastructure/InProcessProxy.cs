using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Metering;
using Turnpike.Edge.Observability;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.Acl;
using Turnpike.Edge.Plugins.Cors;
using Turnpike.Edge.Plugins.FileLog;
using Turnpike.Edge.Plugins.HttpLog;
using Turnpike.Edge.Plugins.IpRestriction;
using Turnpike.Edge.Plugins.KeyAuth;
using Turnpike.Edge.Plugins.Prometheus;
using Turnpike.Edge.Plugins.RequestSizeLimiting;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.Edge.Plugins.ResponseTransformer;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Schema;
using Turnpike.Edge.Status;
using Turnpike.Edge.Upstreams;
using Turnpike.RouteTable;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The edge's proxy pipeline (<see cref="ProxyMiddleware"/>, the snapshot builder, the pooled upstream clients, the
/// plugins that need no cluster) in the test process, fed with entities directly instead of through the admin API
/// and the route table grain. One listener speaks HTTP/2 with prior knowledge (h2c), as gRPC clients do. Log lines
/// are kept for assertions.
/// </summary>
internal sealed class InProcessProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ProxyEntities _entities = new();
    private readonly RouteTableSnapshotBuilder _builder;
    private readonly RouteTableStore _store;
    private readonly PluginRegistry _plugins;
    private ConsumerDirectory _consumers = ConsumerDirectory.Empty;
    private long _version;

    private InProcessProxy(WebApplication app, int port, ConcurrentQueue<string> log)
    {
        _app = app;
        Port = port;
        Log = log;
        _builder = app.Services.GetRequiredService<RouteTableSnapshotBuilder>();
        _store = app.Services.GetRequiredService<RouteTableStore>();
        _plugins = app.Services.GetRequiredService<PluginRegistry>();
        Clients = app.Services.GetRequiredService<UpstreamClients>();
    }

    /// <summary>The h2c listener's port.</summary>
    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every line the proxy logged (warnings and above), in order.</summary>
    public ConcurrentQueue<string> Log { get; }

    public UpstreamClients Clients { get; }

    /// <summary>The prometheus plugin's metrics registry (what the status listener's <c>/metrics</c> would serve of it).</summary>
    public GatewayMetrics Metrics => _app.Services.GetRequiredService<GatewayMetrics>();

    /// <summary>
    /// Waits until <paramref name="requests"/> more requests have been through the whole log phase (which runs after the
    /// client already has its answer) since the last wait.
    /// </summary>
    public async Task LoggedAsync(int requests)
    {
        var barrier = _app.Services.GetRequiredService<LogPhaseBarrier>();
        for (var i = 0; i < requests; i++)
        {
            if (!await barrier.Completed.WaitAsync(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("a request's log phase did not finish: " + string.Join(" | ", Log));
            }
        }
    }

    /// <summary>What metering recorded (with <c>metering: true</c>); <see cref="MeterRecorder.Collect"/> takes it.</summary>
    public MeterRecorder Meters => _app.Services.GetRequiredService<MeterRecorder>();

    /// <summary>The logging plugins' counts (sent, retried, dropped).</summary>
    public Turnpike.Edge.Observability.Logging.LogMetrics LogMetrics => _app.Services.GetRequiredService<Turnpike.Edge.Observability.Logging.LogMetrics>();

    /// <summary>The registry in Prometheus' text format, as a scrape would read it.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var text = new MemoryStream();
        await Metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    /// <param name="maxSeries">The prometheus plugin's cap on label sets (<c>Turnpike:Metrics:MaxSeries</c>).</param>
    /// <param name="syslog">Where the syslog plugin sends (<c>Turnpike:Syslog</c>).</param>
    /// <param name="metering">Whether requests are metered (<see cref="Meters"/>), as an edge with <c>Turnpike:Metering:Enabled</c>.</param>
    /// <param name="configure">More services for the proxy (a test's own log-phase consumer, say).</param>
    public static async Task<InProcessProxy> StartAsync(
        int maxSeries = 10_000, Turnpike.Edge.Plugins.Syslog.SyslogOptions? syslog = null, bool metering = false, Action<IServiceCollection>? configure = null)
    {
        var port = FreePorts.Next();
        var log = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new QueueLoggerProvider(log));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new MeteringOptions { Enabled = metering }));
        services.AddSingleton(Options.Create(new DnsOptions()));
        services.AddSingleton<EdgeCounters>();
        services.AddSingleton<MeterRecorder>();
        services.AddSingleton<RouteTableStore>();
        services.AddSingleton<RouteTableSnapshotBuilder>();
        services.AddSingleton<TargetHealthRegistry>();
        services.AddSingleton<TargetResolver>();
        services.AddSingleton<UpstreamBalancers>();
        services.AddSingleton<UpstreamClients>();
        services.AddSingleton<ProxyMiddleware>();
        services.AddHttpForwarder();
        services.AddSingleton<IGatewayPlugin, KeyAuthPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestTerminationPlugin>();
        services.AddSingleton<IGatewayPlugin, ResponseTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, AclPlugin>();
        services.AddSingleton<IGatewayPlugin, IpRestrictionPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestSizeLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, CorsPlugin>();
        services.AddSingleton<IGatewayPlugin, PrometheusPlugin>();
        services.AddSingleton(Options.Create(new MetricsOptions { MaxSeries = maxSeries }));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<Turnpike.Edge.Observability.Logging.LogMetrics>();
        services.AddSingleton<IGatewayPlugin, HttpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, FileLogPlugin>();
        services.AddSingleton<IGatewayPlugin, Turnpike.Edge.Plugins.OpenTelemetry.OpenTelemetryPlugin>();
        services.AddSingleton<IGatewayPlugin, Turnpike.Edge.Plugins.TcpLog.TcpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, Turnpike.Edge.Plugins.UdpLog.UdpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, Turnpike.Edge.Plugins.Syslog.SyslogPlugin>();
        services.AddSingleton(Options.Create(syslog ?? new Turnpike.Edge.Plugins.Syslog.SyslogOptions()));
        services.AddSingleton(Options.Create(new Turnpike.Edge.Hosting.EdgeOptions { EdgeId = "edge-in-process" }));
        services.AddSingleton<Turnpike.Edge.Hosting.EdgeIdentity>();
        services.AddSingleton<IRequestLogPhase, PluginLogPhase>();
        services.AddSingleton<IGatewayPlugin, Turnpike.Edge.Plugins.ProxyCache.ProxyCachePlugin>();
        services.AddSingleton(Options.Create(new Turnpike.Edge.Plugins.ProxyCache.ProxyCacheOptions()));
        services.AddSingleton<Turnpike.Edge.Plugins.ProxyCache.ProxyCacheStore>();
        services.AddSingleton<Turnpike.Edge.Plugins.ProxyCache.MissCollapsing>();
        services.AddSingleton<IRequestBeginPhase, MeteringBodyCount>();
        services.AddSingleton<IRequestLogPhase, MeteringLog>();
        services.AddSingleton<LogPhaseBarrier>();
        services.AddSingleton<IRequestLogPhase>(sp => sp.GetRequiredService<LogPhaseBarrier>());
        services.AddSingleton<PluginRegistry>();
        configure?.Invoke(services);
        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<ProxyMiddleware>();
        app.Run(proxy.InvokeAsync);
        await app.StartAsync();
        return new InProcessProxy(app, port, log);
    }

    /// <summary>Adds or replaces entities and serves the table they make (services, routes, plugins, consumers, credentials, certificates).</summary>
    public void Upsert(params GatewayEntity[] entities) => Publish(entities, []);

    /// <summary>Removes entities and serves the table without them.</summary>
    public void Delete(params GatewayEntity[] entities) => Publish([], [.. entities.Select(e => new EntityRef(e.Kind, e.Id))]);

    /// <summary>A plugin instance with its configuration completed by the plugin's own schema, as the admin API stores it.</summary>
    public PluginEntity Plugin(string name, object? config = null, Guid? routeId = null, Guid? serviceId = null, Guid? consumerId = null)
    {
        var plugin = _plugins.Find(name) ?? throw new ArgumentException($"plugin {name} is not in the in-process proxy");
        var errors = new FieldErrors();
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config ?? new { }))!.AsObject();
        var stored = plugin.ReadConfig(new FieldReader(json, errors));
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors.All.Select(e => $"{e.Key}: {e.Value}")));
        }

        return new PluginEntity { Id = Guid.NewGuid(), Name = name, Config = stored.ToJsonString(), RouteId = routeId, ServiceId = serviceId, ConsumerId = consumerId };
    }

    private void Publish(GatewayEntity[] upserts, EntityRef[] deletes)
    {
        _entities.Apply(false, upserts, deletes);
        _consumers = _consumers.Apply(false, upserts, deletes);
        _store.Publish(_builder.Build(++_version, _entities, _consumers, AdminDirectory.Empty));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The log phase's last consumer (every other has run): one release per finished request.</summary>
    private sealed class LogPhaseBarrier : IRequestLogPhase
    {
        public SemaphoreSlim Completed { get; } = new(0);

        public int Order => int.MaxValue;

        public void OnCompleted(ProxyContext context)
        {
            Completed.Release();
        }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{eventId.Id} {formatter(state, exception)}");
    }
}
