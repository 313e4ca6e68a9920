using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using System.Security.Cryptography.X509Certificates;
using Turnpike.Edge.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Turnpike.Cluster;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Certificates;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Admin.LegacyApis;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.Acl;
using Turnpike.Edge.Plugins.AiPromptDecorator;
using Turnpike.Edge.Plugins.AiPromptGuard;
using Turnpike.Edge.Plugins.AiPromptTemplate;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Plugins.AiRateLimiting;
using Turnpike.Edge.Plugins.BasicAuth;
using Turnpike.Edge.Plugins.Jwt;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Billing;
using Turnpike.Edge.Metering;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.Cors;
using Turnpike.Edge.Plugins.IpRestriction;
using Turnpike.Edge.Plugins.KeyAuth;
using Turnpike.Edge.Plugins.RequestSizeLimiting;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Plugins.ResponseTransformer;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Status;
using Turnpike.Edge.Upstreams;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>DI and pipeline wiring of an edge: three listeners (proxy, admin, status), the cluster connection, the route table mirror.</summary>
internal static class EdgeHostingExtensions
{
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string SocketThreadsVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
    private static readonly object ListenerKey = typeof(ListenerKind);

    public static WebApplicationBuilder AddTurnpikeEdge(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new();
        options.Admin.Validate();
        if (options.InlineIo || options.InlineSocketCompletions)
        {
            // Read by the runtime when the first socket is made, which has not happened yet. One I/O thread per
            // core: with completions inline, a single I/O thread (the default on small machines) would finish
            // every socket operation in turn, and requests would queue behind each other.
            if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            {
                Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            }

            if (Environment.GetEnvironmentVariable(SocketThreadsVariable) is null)
            {
                Environment.SetEnvironmentVariable(SocketThreadsVariable, Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (options.InlineIo)
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }

        if (options.Dev)
        {
            // One process: a silo with localhost clustering and in-memory state, used directly by this edge.
            builder.UseOrleans(silo => silo.UseTurnpikeSilo(configuration));
        }
        else
        {
            builder.UseOrleansClient(client => client.UseTurnpikeCluster(configuration));
        }

        var services = builder.Services;
        services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EdgeIdentity>();
        services.AddSingleton<EdgeCounters>();
        services.AddSingleton<RouteTableStore>();
        services.AddSingleton<RouteTableSnapshotBuilder>();
        services.AddSingleton<TargetHealthRegistry>();
        services.AddHostedService<ActiveHealthChecker>();
        services.AddSingleton<UpstreamHealthEndpoints>();
        services.AddOptions<DnsOptions>().BindConfiguration(DnsOptions.Section)
            .Validate(o => o.MinTtl > TimeSpan.Zero && o.RetryAfterFailure > TimeSpan.Zero, $"{DnsOptions.Section}: MinTtl and RetryAfterFailure must be positive")
            .ValidateOnStart();
        services.AddSingleton<TargetResolver>();
        services.AddSingleton<UpstreamBalancers>();
        services.AddHostedService<DnsRefresher>();
        services.AddSingleton<UpstreamClients>();
        services.AddSingleton<ProxyMiddleware>();
        services.AddHttpForwarder();

        services.AddSingleton<IGatewayPlugin, CorrelationIdPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestTerminationPlugin>();
        services.AddSingleton<IGatewayPlugin, KeyAuthPlugin>();
        services.AddSingleton<IGatewayPlugin, IpRestrictionPlugin>();
        services.AddSingleton<IGatewayPlugin, AclPlugin>();
        services.AddSingleton<IGatewayPlugin, BasicAuthPlugin>();
        services.AddSingleton<IGatewayPlugin, JwtPlugin>();
        services.AddSingleton<IGatewayPlugin, RateLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, CorsPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, ResponseTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestSizeLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, AiProxyPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptGuardPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptDecoratorPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptTemplatePlugin>();
        services.AddSingleton<IGatewayPlugin, AiRateLimitingPlugin>();
        services.AddSingleton<PluginRegistry>();
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section)
            .Validate(o => o.LeaseHorizon > TimeSpan.Zero && o.MaxLease > 0 && o.CallTimeout > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero,
                $"{QuotaOptions.Section}: LeaseHorizon, MaxLease, CallTimeout and SweepInterval must be positive")
            .ValidateOnStart();
        services.AddSingleton<RateLimitMetrics>();
        services.AddSingleton<ClusterQuota>();
        services.AddSingleton<LocalQuota>();
        services.AddHostedService<QuotaLeaseSweeper>();
        services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.Section)
            .Validate(o => o.FlushInterval > TimeSpan.Zero && !string.IsNullOrWhiteSpace(o.JournalDirectory) && o.StopTimeout >= TimeSpan.Zero,
                $"{MeteringOptions.Section}: FlushInterval must be positive and JournalDirectory set")
            .ValidateOnStart();
        services.AddSingleton<MeterRecorder>();

        // The log phase's consumers, in order: AI reservations settled first, then the request metered with what it used.
        services.AddSingleton<IRequestLogPhase, Ai.AiSettlementLog>();
        if (configuration.GetSection(MeteringOptions.Section).Get<MeteringOptions>()?.Enabled ?? true)
        {
            services.AddSingleton<IRequestLogPhase, MeteringLog>();
        }
        services.AddSingleton<MeterFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<MeterFlusher>());
        services.AddSingleton<UsageReader>();
        services.AddSingleton<BillingEndpoints>();

        services.AddSingleton<RouteTableClient>();
        services.AddSingleton<ServiceSchema>();
        services.AddSingleton<ConsumerSchema>();
        services.AddSingleton<KeyAuthCredentialSchema>();
        services.AddSingleton<AclSchema>();
        services.AddSingleton<BasicAuthCredentialSchema>();
        services.AddSingleton<JwtCredentialSchema>();
        services.AddSingleton<UpstreamSchema>();
        services.AddSingleton<TargetSchema>();
        services.AddSingleton<RouteSchema>();
        services.AddSingleton<PluginSchema>();
        services.AddSingleton<CertificateSchema>();
        services.AddSingleton<SniSchema>();
        services.AddSingleton<CaCertificateSchema>();
        services.AddSingleton<EntitySchemas>();
        services.AddSingleton<AdminWriter>();
        services.AddSingleton<EntityEndpoints>();
        services.AddSingleton<EntityPresenter>();
        services.AddSingleton<CertificateEndpoints>();
        services.AddSingleton<ApisEndpoints>();
        services.AddSingleton<DeclarativeConfig>();
        services.AddSingleton<DeclarativeConfigLoader>();
        services.AddSingleton<ConfigEndpoints>();
        services.AddSingleton<StatusEndpoints>();
        services.AddOptions<AdminAuthenticationOptions>().BindConfiguration(AdminAuthenticationOptions.Section)
            .Configure<IConfiguration>((o, config) => o.Token = string.IsNullOrEmpty(o.Token) ? config[AdminAuthenticationOptions.TokenVariable] : o.Token)
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AdminAuthenticationOptions>, AdminAuthenticationOptionsValidator>();
        services.AddSingleton<AdminAuthenticator>();
        services.AddSingleton<AdminAuthMetrics>();
        services.AddSingleton<AdminAuthenticationMiddleware>();
        services.AddSingleton<AdminSchema>();
        services.AddSingleton<AdminAccountEndpoints>();
        services.AddRouting();
        services.AddHostedService<RouteTableSync>();

        var limits = options.Proxy.Limits;
        limits.Validate();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, limits);

            // Header bytes above 0x7F (obs-text) are read and written as Latin-1, so the proxy passes them byte for byte
            // (UpstreamClients does the same towards upstreams); CR, LF and NUL are still refused by Kestrel's parser.
            kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            var counters = kestrel.ApplicationServices.GetRequiredService<EdgeCounters>();
            var proxyTls = new ProxyCertificateSelector(
                kestrel.ApplicationServices.GetRequiredService<RouteTableStore>(),
                options.Proxy.Certificate.IsSet ? Served(options.Proxy.Certificate.Load("Turnpike:Proxy:Certificate")) : null);
            Listen(kestrel, ListenerKind.Proxy, ListenerUrls.Parse(options.Proxy.Urls, "Turnpike:Proxy:Urls", allowH2c: true), counters, limits.MaxConcurrentConnections,
                https => https.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = proxyTls.SelectAsync }));
            Listen(kestrel, ListenerKind.Admin, ListenerUrls.Parse(options.Admin.Urls, "Turnpike:Admin:Urls"), counters, null, FromFiles(options.Admin.Certificate, "Turnpike:Admin:Certificate"));
            Listen(kestrel, ListenerKind.Status, ListenerUrls.Parse(options.Status.Urls, "Turnpike:Status:Urls"), counters, null, FromFiles(options.Status.Certificate, "Turnpike:Status:Certificate"));
        });
        return builder;
    }

    public static WebApplication UseTurnpikeEdge(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeOptions>>().Value.DeclarativeConfig is { Length: > 0 } file)
        {
            app.Services.GetRequiredService<DeclarativeConfigLoader>().Prepare(file);
        }

        var proxy = app.Services.GetRequiredService<ProxyMiddleware>();
        app.Use(next => context => ListenerOf(context) == ListenerKind.Proxy ? proxy.InvokeAsync(context) : next(context));
        var adminAuthentication = app.Services.GetRequiredService<AdminAuthenticationMiddleware>();
        app.MapWhen(context => ListenerOf(context) == ListenerKind.Admin, admin => UseJsonApi(admin, endpoints => endpoints.MapAdminApi(), AdminBody.Limit, adminAuthentication.InvokeAsync));
        app.MapWhen(context => ListenerOf(context) == ListenerKind.Status, status => UseJsonApi(status, endpoints =>
        {
            var handlers = endpoints.ServiceProvider.GetRequiredService<StatusEndpoints>();
            endpoints.MapGet("/status", handlers.StatusAsync);
            endpoints.MapGet("/status/ready", handlers.ReadyAsync);
            endpoints.MapGet("/metrics", handlers.MetricsAsync);
        }));
        return app;
    }

    /// <param name="bodyLimit">Bounds every request body (the admin listener's size limit), when given.</param>
    /// <param name="guard">Runs between routing and the endpoints (the admin listener's authentication), when given.</param>
    private static void UseJsonApi(
        IApplicationBuilder app,
        Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder> map,
        Func<HttpContext, Func<Task>, Task>? bodyLimit = null,
        Func<HttpContext, RequestDelegate, Task>? guard = null)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && BodyProblem(context, ex) is { } problem)
            {
                // The client's fault, not the edge's: answered, not logged as a failure.
                await AdminJson.WriteAsync(context, problem.Status, problem.Body);
            }
            catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
            {
                var (status, message) = ex switch
                {
                    StateStoreUnavailableException => (StatusCodes.Status503ServiceUnavailable, "The cluster's storage is unavailable; try again"),
                    OrleansException or TimeoutException =>
                        (StatusCodes.Status503ServiceUnavailable, "The cluster is unavailable; try again"),
                    _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred"),
                };
                AdminLog.RequestFailed(
                    context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminLog)), ex, context.Request.Method, PrintableText.Escape(context.Request.Path.Value ?? "/"), status);
                await AdminJson.MessageAsync(context, status, message);
            }
        });
        if (bodyLimit is not null)
        {
            app.Use(bodyLimit);
        }

        app.UseStatusCodePages(context => context.HttpContext.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
            ? AdminJson.MessageAsync(context.HttpContext, StatusCodes.Status405MethodNotAllowed, "Method not allowed")
            : AdminJson.MessageAsync(context.HttpContext, context.HttpContext.Response.StatusCode, "Not found"));
        app.UseRouting();
        if (guard is not null)
        {
            app.Use(guard);
        }

        app.UseEndpoints(map);
    }

    /// <summary>A request body over the limit (ours, or Kestrel's own) or a form that breaks the form reader's limits.</summary>
    private static (int Status, System.Text.Json.Nodes.JsonObject Body)? BodyProblem(HttpContext context, Exception ex) => ex switch
    {
        AdminBodyTooLargeException or Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, new() { ["message"] = "Request body too large", ["name"] = "request body too large" }),
        InvalidDataException form when context.Request.HasFormContentType =>
            (StatusCodes.Status400BadRequest, new() { ["message"] = "Cannot parse form body: " + form.Message, ["name"] = "invalid request body" }),
        _ => null,
    };

    private static ListenerKind ListenerOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerKey, out var kind) == true ? (ListenerKind)kind! : ListenerKind.Proxy;

    private static void ApplyLimits(KestrelServerLimits kestrel, ProxyLimitsOptions limits)
    {
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize == 0 ? null : limits.MaxRequestBodySize;
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = limits.MinRequestBodyDataRate == 0 ? null : new MinDataRate(limits.MinRequestBodyDataRate, limits.MinDataRateGracePeriod);
        kestrel.MinResponseDataRate = limits.MinResponseDataRate == 0 ? null : new MinDataRate(limits.MinResponseDataRate, limits.MinDataRateGracePeriod);
        kestrel.Http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
        kestrel.Http2.InitialStreamWindowSize = limits.Http2InitialStreamWindowSize;
        kestrel.Http2.InitialConnectionWindowSize = Math.Max(limits.Http2InitialConnectionWindowSize, limits.Http2InitialStreamWindowSize);
        kestrel.Http2.HeaderTableSize = limits.Http2HeaderTableSize;
    }

    private static ServedCertificate Served((X509Certificate2 Leaf, X509Certificate2Collection Chain) pair) => new(null, pair.Leaf, null, pair.Chain);

    /// <summary>TLS with a certificate from files, loaded when an <c>https://</c> URL first needs it (a missing one stops the edge naming <paramref name="key"/>).</summary>
    private static Action<ListenOptions> FromFiles(CertificateFileOptions files, string key) => https =>
    {
        var served = Served(files.Load(key));
        https.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(served.ServerOptions) });
    };

    /// <param name="maxConnections">This listener's own limit on open connections (null: none); past it a new connection is closed at once.</param>
    /// <param name="useTls">Sets up TLS on the listener's <c>https://</c> endpoints.</param>
    private static void Listen(
        KestrelServerOptions kestrel, ListenerKind kind, IReadOnlyList<ListenerEndpoint> endpoints, EdgeCounters counters, long? maxConnections, Action<ListenOptions> useTls)
    {
        var open = new ConnectionGauge();
        foreach (var (endpoint, transport) in endpoints)
        {
            kestrel.Listen(endpoint, listen =>
            {
                // The connection's kind first, so even a failed handshake counts against this listener's connections.
                Tag(listen);
                switch (transport)
                {
                    case ListenerTransport.Https:
                        listen.Protocols = HttpProtocols.Http1AndHttp2;
                        useTls(listen);
                        break;
                    case ListenerTransport.H2c:
                        listen.Protocols = HttpProtocols.Http2;
                        break;
                    default:
                        listen.Protocols = HttpProtocols.Http1;
                        break;
                }
            });
        }

        void Tag(ListenOptions listen) => listen.Use(next => async connection =>
            {
                connection.Items[ListenerKey] = kind;
                if (maxConnections is not { } max)
                {
                    await next(connection);
                    return;
                }

                if (!open.TryEnter(max))
                {
                    counters.ConnectionRefused();
                    return; // closing it is all a flood gets
                }

                counters.ConnectionOpened();
                try
                {
                    await next(connection);
                }
                finally
                {
                    open.Exit();
                    counters.ConnectionClosed();
                }
            });
    }

    /// <summary>Open connections of one listener.</summary>
    private sealed class ConnectionGauge
    {
        private long _open;

        public bool TryEnter(long max)
        {
            if (Interlocked.Increment(ref _open) <= max)
            {
                return true;
            }

            Interlocked.Decrement(ref _open);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _open);
    }

    private static IClientBuilder UseTurnpikeCluster(this IClientBuilder client, IConfiguration configuration)
    {
        var options = TurnpikeClusterConfiguration.Read(configuration, forSilo: false);
        client.Services.AddTurnpikeClusterStoreCheck(options);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);

        // Find silos that join (scale-out) within seconds rather than Orleans' default minute.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        if (string.Equals(options.Clustering, ClusteringProviders.AdoNet, StringComparison.OrdinalIgnoreCase))
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = options.AdoNet.Invariant;
                o.ConnectionString = options.AdoNet.ConnectionString;
            });
        }
        else if (string.Equals(options.Clustering, ClusteringProviders.Redis, StringComparison.OrdinalIgnoreCase))
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(options.Redis.ConnectionString));
        }
        else
        {
            client.UseStaticClustering(options.ParsedGateways());
        }

        // Keep trying: an edge started before its silos waits for them rather than exiting.
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        });
        return client;
    }
}
