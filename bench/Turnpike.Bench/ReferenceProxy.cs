using System.Net;
using Turnpike.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Turnpike.Bench;

/// <summary>
/// The yardsticks beside an edge in <c>proxy</c>, each its own process with an edge's runtime settings: bare YARP (one
/// route, one destination, nothing else: what YARP itself costs), and Kestrel with <see cref="RawForwarder"/> (the least
/// any forwarder on Kestrel can spend on this benchmark's requests: the floor for a forwarding path of our own). A third,
/// bare YARP over <see cref="RawHttpHandler"/> (<c>yarp-handler</c>, started by hand), is the least YARP's forwarder can
/// spend with any handler in place of <see cref="SocketsHttpHandler"/>.
/// </summary>
internal static class ReferenceProxy
{
    public const string Yarp = "yarp";
    public const string Floor = "floor";
    public const string YarpRawHandler = "yarp-handler";

    /// <summary>Runs in the child process: <c>Turnpike.Bench reference-proxy --kind yarp|yarp-handler|floor --port N --origin URL [--inline-io 1]</c>.</summary>
    public static async Task RunAsync(string kind, int port, Uri origin, bool inlineIo)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        if (inlineIo)
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true); // as an edge with Turnpike:InlineIo
        }

        if (kind is Yarp or YarpRawHandler)
        {
            if (kind == YarpRawHandler)
            {
                builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory>(new HandlerFactory(new RawHttpHandler(new IPEndPoint(IPAddress.Parse(origin.Host), origin.Port))));
            }

            builder.Services.AddReverseProxy().LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "origin", Match = new RouteMatch { Path = "{**rest}" } }],
                [new ClusterConfig { ClusterId = "origin", Destinations = new Dictionary<string, DestinationConfig> { ["origin"] = new() { Address = origin.ToString() } } }]);
        }

        var app = builder.Build();
        if (kind is Yarp or YarpRawHandler)
        {
            app.MapReverseProxy();
        }
        else
        {
            var forwarder = new RawForwarder(new IPEndPoint(IPAddress.Parse(origin.Host), origin.Port));
            app.Run(forwarder.ForwardAsync);
        }

        await app.RunAsync();
    }

    /// <summary>Starts one as a child process on a free port, with the runtime settings an edge ships with, and waits until it answers.</summary>
    public static async Task<(ServerProcess Process, string Url)> StartAsync(string kind, string originUrl, bool inlineIo)
    {
        var port = FreePorts.Next();
        var process = ServerProcess.Start(typeof(ReferenceProxy).Assembly.Location, new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "1",
            // What an edge sets for itself at start (Turnpike:InlineSocketCompletions, on by default).
            ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
            ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // As an edge's appsettings.json has it: while this logger is enabled ASP.NET Core starts an Activity per
            // request, and HttpClient then carries it upstream (1-2 % of bare YARP's CPU in a profile).
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        }, "reference-proxy", "--kind", kind, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--origin", originUrl, "--inline-io", inlineIo ? "1" : "0");
        var url = $"http://127.0.0.1:{port}/";
        await process.WaitUntilReadyAsync(url, TimeSpan.FromSeconds(30));
        return (process, url);
    }

    /// <summary>YARP's forwarder over another handler in place of <see cref="SocketsHttpHandler"/>.</summary>
    private sealed class HandlerFactory(HttpMessageHandler handler) : Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory
    {
        private readonly HttpMessageInvoker _invoker = new(handler);

        public HttpMessageInvoker CreateClient(Yarp.ReverseProxy.Forwarder.ForwarderHttpClientContext context) => _invoker;
    }
}
