using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.OAuth2;

internal static class OAuth2ServiceCollectionExtensions
{
    /// <summary>oauth2's token cache and store, the revocation log's follower, and the <c>/oauth2_tokens</c> admin endpoints.</summary>
    public static IServiceCollection AddTurnpikeOAuth2(this IServiceCollection services)
    {
        services.AddOptions<OAuth2Options>().BindConfiguration(OAuth2Options.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OAuth2Options>, OAuth2OptionsValidator>();
        services.AddSingleton<OAuth2TokenCache>();
        services.AddSingleton<OAuth2Revocations>();
        services.AddSingleton<OAuth2TokenStore>();
        services.AddSingleton<OAuth2TokenEndpoints>();
        services.AddHostedService<OAuth2RevocationFollower>();
        return services;
    }
}
