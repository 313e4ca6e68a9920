using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Edge.Plugins.Acl;
using Turnpike.Edge.Plugins.AiBudget;
using Turnpike.Edge.Plugins.AiPromptDecorator;
using Turnpike.Edge.Plugins.AiPromptGuard;
using Turnpike.Edge.Plugins.AiPromptTemplate;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Plugins.AiProxyAdvanced;
using Turnpike.Edge.Plugins.AiRateLimiting;
using Turnpike.Edge.Plugins.AiRequestTransformer;
using Turnpike.Edge.Plugins.AiSemanticCache;
using Turnpike.Edge.Plugins.AwsLambda;
using Turnpike.Edge.Plugins.BasicAuth;
using Turnpike.Edge.Plugins.BotDetection;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.Cors;
using Turnpike.Edge.Plugins.FileLog;
using Turnpike.Edge.Plugins.HmacAuth;
using Turnpike.Edge.Plugins.HttpLog;
using Turnpike.Edge.Plugins.IpRestriction;
using Turnpike.Edge.Plugins.Jwt;
using Turnpike.Edge.Plugins.KeyAuth;
using Turnpike.Edge.Plugins.OAuth2;
using Turnpike.Edge.Plugins.OpenTelemetry;
using Turnpike.Edge.Plugins.Prometheus;
using Turnpike.Edge.Plugins.ProxyCache;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Plugins.RequestSizeLimiting;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Plugins.ResponseRateLimiting;
using Turnpike.Edge.Plugins.ResponseTransformer;
using Turnpike.Edge.Plugins.Syslog;
using Turnpike.Edge.Plugins.TcpLog;
using Turnpike.Edge.Plugins.UdpLog;

namespace Turnpike.Edge.Plugins;

internal static class PluginsServiceCollectionExtensions
{
    /// <summary>
    /// The bundled plugins, found by <see cref="PluginRegistry"/> through <see cref="IGatewayPlugin"/>, and the credential
    /// kinds some of them bring (<see cref="ICredentialSchema"/>), each registered beside its plugin.
    /// </summary>
    public static IServiceCollection AddTurnpikePlugins(this IServiceCollection services)
    {
        services.AddSingleton<IGatewayPlugin, CorrelationIdPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestTerminationPlugin>();
        services.AddSingleton<IGatewayPlugin, KeyAuthPlugin>();
        services.AddSingleton<ICredentialSchema, KeyAuthCredentialSchema>();
        services.AddSingleton<IGatewayPlugin, IpRestrictionPlugin>();
        services.AddSingleton<IGatewayPlugin, AclPlugin>();
        services.AddSingleton<ICredentialSchema, AclSchema>();
        services.AddSingleton<IGatewayPlugin, BasicAuthPlugin>();
        services.AddSingleton<ICredentialSchema, BasicAuthCredentialSchema>();
        services.AddSingleton<IGatewayPlugin, JwtPlugin>();
        services.AddSingleton<ICredentialSchema, JwtCredentialSchema>();
        services.AddSingleton<IGatewayPlugin, RateLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, CorsPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, ResponseTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, RequestSizeLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, AiProxyPlugin>();
        services.AddSingleton<IGatewayPlugin, AiProxyAdvancedPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptGuardPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptDecoratorPlugin>();
        services.AddSingleton<IGatewayPlugin, AiPromptTemplatePlugin>();
        services.AddSingleton<IGatewayPlugin, AiRateLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, AiBudgetPlugin>();
        services.AddSingleton<IGatewayPlugin, AiRequestTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, AiResponseTransformer.AiResponseTransformerPlugin>();
        services.AddSingleton<IGatewayPlugin, AiSemanticCachePlugin>();
        services.AddSingleton<IGatewayPlugin, AwsLambdaPlugin>();
        services.AddSingleton<IGatewayPlugin, HmacAuthPlugin>();
        services.AddSingleton<ICredentialSchema, HmacAuthCredentialSchema>();
        services.AddSingleton<IGatewayPlugin, BotDetectionPlugin>();
        services.AddSingleton<IGatewayPlugin, ResponseRateLimitingPlugin>();
        services.AddSingleton<IGatewayPlugin, ProxyCachePlugin>();
        services.AddSingleton<IGatewayPlugin, OAuth2Plugin>();
        services.AddSingleton<ICredentialSchema, OAuth2CredentialSchema>();
        services.AddSingleton<IGatewayPlugin, PrometheusPlugin>();
        services.AddSingleton<IGatewayPlugin, HttpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, FileLogPlugin>();
        services.AddSingleton<IGatewayPlugin, OpenTelemetryPlugin>();
        services.AddSingleton<IGatewayPlugin, TcpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, UdpLogPlugin>();
        services.AddSingleton<IGatewayPlugin, SyslogPlugin>();
        services.AddTurnpikeSyslog();
        services.AddTurnpikeProxyCache();
        services.AddTurnpikeOAuth2();
        services.AddTurnpikeSemanticCache();
        services.AddSingleton<PluginRegistry>();
        services.AddSingleton<Proxy.IRequestLogPhase, PluginLogPhase>(); // LogPhaseOrder.Plugins: after AI settlement, so logs see the settled call
        return services;
    }
}
