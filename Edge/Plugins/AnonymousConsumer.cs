using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins;

/// <summary>
/// Kong's <c>anonymous</c> setting of the auth plugins: a request without valid credentials goes on as the named
/// consumer. With several auth plugins this makes them a logical OR, so a plugin configured with it steps
/// aside when an earlier one already found a credential.
/// </summary>
internal static class AnonymousConsumer
{
    /// <summary>True when an earlier auth plugin identified the request by a credential and this one may step aside.</summary>
    public static bool AlreadyAuthenticated(ProxyContext context, string? anonymous) => anonymous is not null && context.CredentialId is not null;

    /// <summary>Identifies the request as the anonymous consumer; a name that matches no consumer is a configuration error (500).</summary>
    public static async ValueTask<bool> AuthenticateAsync(ProxyContext context, string anonymous)
    {
        if (context.Consumers.Consumer(anonymous) is not { } consumer)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status500InternalServerError, $"anonymous consumer {anonymous} is configured but doesn't exist");
            return false;
        }

        context.AuthenticateAnonymous(consumer);
        return true;
    }
}
