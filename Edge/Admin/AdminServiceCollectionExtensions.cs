using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Certificates;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Admin.LegacyApis;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>The admin API: entity schemas, the writer to the route table grain, endpoints, declarative config, authentication.</summary>
    public static IServiceCollection AddTurnpikeAdmin(this IServiceCollection services)
    {
        // The grain client of the admin API (also read by the billing and upstream health endpoints it serves).
        services.AddSingleton<RouteTableClient>();
        services.AddSingleton<ServiceSchema>();
        services.AddSingleton<ConsumerSchema>();
        services.AddSingleton<UpstreamSchema>();
        services.AddSingleton<TargetSchema>();
        services.AddSingleton<RouteSchema>();
        services.AddSingleton<PluginSchema>();
        services.AddSingleton<CertificateSchema>();
        services.AddSingleton<SniSchema>();
        services.AddSingleton<CaCertificateSchema>();
        services.AddSingleton<EntitySchemas>();
        services.AddSingleton<SchemaEndpoints>();
        services.AddSingleton<NodeInfoEndpoint>();
        services.AddSingleton<TagEndpoints>();
        services.AddSingleton<AdminWriter>();
        services.AddSingleton<EntityEndpoints>();
        services.AddSingleton<EntityPresenter>();
        services.AddSingleton<CertificateEndpoints>();
        services.AddSingleton<ApisEndpoints>();
        services.AddSingleton<DeclarativeConfig>();
        services.AddSingleton<DeclarativeConfigLoader>();
        services.AddSingleton<ConfigEndpoints>();
        services.AddOptions<AdminListenerOptions>().BindConfiguration(AdminListenerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminListenerOptions>, AdminListenerOptionsValidator>();
        services.AddOptions<AdminAuthenticationOptions>().BindConfiguration(AdminAuthenticationOptions.Section)
            .Configure<IConfiguration>((o, config) => o.Token = string.IsNullOrEmpty(o.Token) ? config[AdminAuthenticationOptions.TokenVariable] : o.Token)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminAuthenticationOptions>, AdminAuthenticationOptionsValidator>();
        services.AddSingleton<AdminAuthenticator>();
        services.AddSingleton<AdminAuthMetrics>();
        services.AddSingleton<AdminAuthenticationMiddleware>();
        services.AddSingleton<AdminSchema>();
        services.AddSingleton<AdminAccountEndpoints>();
        services.AddRouting();
        return services;
    }
}
