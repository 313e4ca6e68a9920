using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Tests.Grpc;

/// <summary>
/// A real upstream on loopback for gRPC and upstream-TLS tests: the <see cref="EchoService"/> and, for any other
/// request, a JSON echo of what the server saw (<c>{host, protocol, sni, client_certificate}</c>). Plain (h2c: HTTP/2
/// with prior knowledge only, as gRPC servers listen in clear text) or TLS with a given certificate chain (HTTP/1.1
/// and HTTP/2 by ALPN), optionally requiring a client certificate issued by a given authority.
/// </summary>
internal sealed class GrpcUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcUpstream(WebApplication app, int port, bool tls)
    {
        _app = app;
        Port = port;
        Tls = tls;
    }

    /// <summary>The connection item holding the TLS server name (SNI) the client sent; empty when it sent none.</summary>
    public const string ServerNameKey = "sni";

    public int Port { get; }

    public bool Tls { get; }

    /// <summary>An h2c upstream: HTTP/2 in clear text only.</summary>
    public static Task<GrpcUpstream> StartPlainAsync() => StartAsync(null, [], null);

    /// <summary>
    /// A TLS upstream serving <paramref name="certificate"/> with its intermediates (its issuers but the root), requiring a
    /// client certificate issued (through the intermediates the client sends) by <paramref name="clientAuthority"/> when given.
    /// </summary>
    public static Task<GrpcUpstream> StartTlsAsync(TestCertificate certificate, TestCertificate? clientAuthority = null)
    {
        var intermediates = new List<X509Certificate2>();
        for (var issuer = certificate.Issuer; issuer?.Issuer is not null; issuer = issuer.Issuer)
        {
            intermediates.Add(issuer.Certificate);
        }

        return StartAsync(certificate.Certificate, [.. intermediates], clientAuthority?.Certificate);
    }

    private static async Task<GrpcUpstream> StartAsync(X509Certificate2? certificate, X509Certificate2[] intermediates, X509Certificate2? clientAuthority)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is null)
            {
                listen.Protocols = HttpProtocols.Http2;
                return;
            }

            listen.Protocols = HttpProtocols.Http1AndHttp2;
            var served = SslStreamCertificateContext.Create(certificate, new X509Certificate2Collection(intermediates), offline: true);
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context =>
                {
                    // The server name the client asked for, kept per connection for the echo.
                    context.Connection.Items[ServerNameKey] = context.ClientHelloInfo.ServerName;
                    return ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = served,
                        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                        ClientCertificateRequired = clientAuthority is not null,
                        RemoteCertificateValidationCallback = clientAuthority is null
                            ? null
                            : (_, client, chain, _) => client is not null && IssuedBy(client, chain, clientAuthority),
                    });
                },
            });
        }));

        var app = builder.Build();
        var upstream = new GrpcUpstream(app, port, certificate is not null);
        app.MapGrpcService<EchoService>();
        app.MapFallback(async context =>
        {
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, new
            {
                host = context.Request.Host.Value,
                protocol = context.Request.Protocol,
                sni = ServerNameOf(context),
                client_certificate = context.Connection.ClientCertificate?.Subject ?? "",
            });
        });
        await app.StartAsync();
        return upstream;
    }

    /// <summary>The TLS server name the client sent on this request's connection; empty for none or clear text.</summary>
    public static string ServerNameOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ServerNameKey, out var name) == true ? name as string ?? "" : "";

    /// <summary>The client's certificate chains to <paramref name="authority"/> (and nothing else is trusted), through the intermediates it sent.</summary>
    private static bool IssuedBy(X509Certificate client, X509Chain? sent, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var element in sent?.ChainPolicy.ExtraStore ?? [])
        {
            chain.ChainPolicy.ExtraStore.Add(element);
        }

        return chain.Build(X509CertificateLoader.LoadCertificate(client.GetRawCertData()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
