using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Status;
using Turnpike.Edge.Tls;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>The edge's three Kestrel listeners (proxy, admin, status), their TLS and the proxy's limits.</summary>
internal static class ListenersWebApplicationBuilderExtensions
{
    private static readonly object ListenerKey = typeof(ListenerKind);

    /// <summary>
    /// Configures Kestrel from <paramref name="options"/>. The limits are checked now, not only at start, because
    /// Kestrel's callback consumes them while the server is created, which a bad value would break with a stack trace.
    /// </summary>
    public static WebApplicationBuilder AddTurnpikeListeners(this WebApplicationBuilder builder, EdgeOptions options)
    {
        builder.Services.AddOptions<ProxyLimitsOptions>().BindConfiguration(ProxyLimitsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProxyLimitsOptions>, ProxyLimitsOptionsValidator>();
        var limits = new ProxyLimitsOptionsValidator().ThrowIfInvalid(options.Proxy.Limits);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, limits);

            // Header bytes above 0x7F (obs-text) are read and written as Latin-1, so the proxy passes them byte for byte
            // (UpstreamClients does the same towards upstreams); CR, LF and NUL are still refused by Kestrel's parser.
            // Content-Length keeps Kestrel's own parser: its custom-encoding path throws on a long value (a dropped
            // connection and a stack trace for 21 digits) where the default answers 400.
            kestrel.RequestHeaderEncodingSelector = static name => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ? null : System.Text.Encoding.Latin1;
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            var counters = kestrel.ApplicationServices.GetRequiredService<EdgeCounters>();
            var store = kestrel.ApplicationServices.GetRequiredService<RouteTableStore>();
            var proxyTls = new ProxyCertificateSelector(
                store, options.Proxy.Certificate.IsSet ? Served(options.Proxy.Certificate.Load("Turnpike:Proxy:Certificate")) : null);
            var handshakeTimeout = limits.HandshakeTimeout;
            var clientHello = new ClientHelloPeek(handshakeTimeout);
            Listen(kestrel, ListenerKind.Proxy, ListenerUrls.Parse(options.Proxy.Urls, "Turnpike:Proxy:Urls", allowH2c: true), counters, limits.MaxConcurrentConnections, https =>
            {
                // The ClientHello is read before TLS starts: its cipher suites and the choice between a certificate's two pairs.
                https.Use(clientHello.Middleware);
                https.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = proxyTls.SelectAsync, HandshakeTimeout = handshakeTimeout });
            });
            Listen(kestrel, ListenerKind.Admin, ListenerUrls.Parse(options.Admin.Urls, "Turnpike:Admin:Urls"), counters, null, FromFiles(options.Admin.Certificate, "Turnpike:Admin:Certificate", handshakeTimeout));
            Listen(kestrel, ListenerKind.Status, ListenerUrls.Parse(options.Status.Urls, "Turnpike:Status:Urls"), counters, null, FromFiles(options.Status.Certificate, "Turnpike:Status:Certificate", handshakeTimeout));
        });
        return builder;
    }

    /// <summary>The listener a request came in on (tagged on its connection by <see cref="Listen"/>).</summary>
    public static ListenerKind ListenerOf(HttpContext context) =>
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
    private static Action<ListenOptions> FromFiles(CertificateFileOptions files, string key, TimeSpan handshakeTimeout) => https =>
    {
        var served = Served(files.Load(key));
        https.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(served.ServerOptions), HandshakeTimeout = handshakeTimeout });
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
}
