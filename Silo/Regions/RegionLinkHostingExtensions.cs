using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Turnpike.Hosting;
using Turnpike.Regions;

namespace Turnpike.Silo.Regions;

/// <summary>The silo's part in several regions: the link listener, its endpoints, and (away from home) the replicator.</summary>
internal static class RegionLinkHostingExtensions
{
    /// <summary>Listens on the status URLs, and with peers on the link URLs too (HTTP/2 only: prior knowledge, no upgrade; or mutual TLS).</summary>
    public static WebApplicationBuilder AddTurnpikeRegions(this WebApplicationBuilder builder, string statusUrls)
    {
        var options = RegionOptionsBinding.Read(builder.Configuration);
        // Shapes the listeners, so checked now; and by ValidateOnStart for the options the services get.
        new SiloRegionOptionsValidator().ThrowIfInvalid(options);
        builder.Services.AddTurnpikeRegionOptions<SiloRegionOptionsValidator>();
        if (!options.Enabled)
        {
            builder.WebHost.UseUrls(statusUrls);
            return builder;
        }

        var linkUrls = options.Link.Urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var linkPorts = linkUrls.Select(u => new Uri(u).Port).ToHashSet();
        builder.WebHost.UseUrls(string.Join(';', [statusUrls, .. linkUrls]));
        var tls = RegionLinkTls.Load(options.Tls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint is { } endpoint && linkPorts.Contains(endpoint.Port))
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            });
            if (tls is not null)
            {
                // https:// link listeners (the status listener is http): mutual TLS, only clients the regions' CA issued.
                kestrel.ConfigureHttpsDefaults(https =>
                {
                    https.ServerCertificate = tls.Certificate;
                    https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => tls.Trusted(certificate);
                    https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                });
            }
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RegionLink>();
        builder.Services.AddSingleton(new RegionLinkListener(linkPorts));
        builder.Services.AddSingleton<RegionLinkEndpoints>();
        builder.Services.AddSingleton<Turnpike.Metering.UsageReader>();
        // In every region: the home may move here or away while the silo runs.
        builder.Services.AddHostedService<RegionReplicator>();
        builder.Services.AddHostedService<HomeEpochWatcher>();

        return builder;
    }

    /// <summary>The link listener serves the link's paths only, and the status listener never does.</summary>
    public static WebApplication UseTurnpikeRegions(this WebApplication app)
    {
        if (app.Services.GetService<RegionLinkListener>() is not { } listener)
        {
            return app;
        }

        var endpoints = app.Services.GetRequiredService<RegionLinkEndpoints>();
        app.Use(async (context, next) =>
        {
            var onLink = listener.Ports.Contains(context.Connection.LocalPort);
            if (onLink)
            {
                await endpoints.HandleAsync(context);
            }
            else if (context.Request.Path.StartsWithSegments(RegionLinkPaths.Prefix))
            {
                await RegionLinkEndpoints.MessageAsync(context, StatusCodes.Status404NotFound, "Not found");
            }
            else
            {
                await next(context);
            }
        });
        return app;
    }
}

/// <summary>The ports of the silo's link listener.</summary>
internal sealed record RegionLinkListener(HashSet<int> Ports);
