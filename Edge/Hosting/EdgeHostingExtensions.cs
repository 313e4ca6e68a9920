using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Turnpike.Cluster;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Billing;
using Turnpike.Edge.Manager;
using Turnpike.Edge.Metering;
using Turnpike.Edge.Observability;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Regions;
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

    public static WebApplicationBuilder AddTurnpikeEdge(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new();
        // Checked before anything else reads it: the declarative file given at start is read within this limit.
        new AdminListenerOptionsValidator().ThrowIfInvalid(options.Admin);
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
            // One process: a silo with localhost clustering and in-memory state, used directly by this edge, on
            // free loopback ports unless set.
            DevClusterPorts.Assign(builder.Configuration);
            builder.UseOrleans(silo => silo.UseTurnpikeSilo(configuration));
        }
        else
        {
            builder.UseOrleansClient(client => client.UseTurnpikeCluster(configuration));
        }

        // Chained per feature, as YARP's AddReverseProxy() chains its builders; hosted services start in this order,
        // so the route table sync comes after everything it feeds.
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EdgeIdentity>();
        builder.Services.AddSingleton<EdgeCounters>();
        builder.Services
            .AddTurnpikeUpstreams()
            .AddTurnpikeProxy()
            .AddTurnpikePlugins()
            .AddTurnpikeQuota()
            .AddTurnpikeMetering()
            .AddTurnpikeBilling()
            .AddTurnpikeRegions(configuration)
            .AddTurnpikeAdmin()
            .AddTurnpikeManager()
            .AddTurnpikeStatus()
            .AddTurnpikeObservability()
            .AddTurnpikeRouteTable();
        return builder.AddTurnpikeListeners(options);
    }

    public static WebApplication UseTurnpikeEdge(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeOptions>>().Value.DeclarativeConfig is { Length: > 0 } file)
        {
            app.Services.GetRequiredService<DeclarativeConfigLoader>().Prepare(file);
        }

        var proxy = app.Services.GetRequiredService<ProxyMiddleware>();
        app.Use(next => context => ListenersWebApplicationBuilderExtensions.ListenerOf(context) == ListenerKind.Proxy ? proxy.InvokeAsync(context) : next(context));
        app.UseTurnpikeManager();
        var adminAuthentication = app.Services.GetRequiredService<AdminAuthenticationMiddleware>();
        app.MapWhen(context => ListenersWebApplicationBuilderExtensions.ListenerOf(context) == ListenerKind.Admin, admin => UseJsonApi(admin, endpoints => endpoints.MapAdminApi(), AdminBody.Limit, adminAuthentication.InvokeAsync));
        app.MapWhen(context => ListenersWebApplicationBuilderExtensions.ListenerOf(context) == ListenerKind.Status, status => UseJsonApi(status, endpoints =>
        {
            var handlers = endpoints.ServiceProvider.GetRequiredService<StatusEndpoints>();
            endpoints.MapGet("/status", handlers.StatusAsync);
            endpoints.MapGet("/status/ready", handlers.ReadyAsync);
            endpoints.MapGet("/metrics", endpoints.ServiceProvider.GetRequiredService<MetricsEndpoint>().WriteAsync);
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
                    HomeRegionUnreachableException => (StatusCodes.Status503ServiceUnavailable, ex.Message),
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
        IOException when context.Request.HasFormContentType && !context.RequestAborted.IsCancellationRequested =>
            (StatusCodes.Status400BadRequest, new() { ["message"] = "Cannot parse form body: it ends before its last part", ["name"] = "invalid request body" }),
        _ => null,
    };
}
