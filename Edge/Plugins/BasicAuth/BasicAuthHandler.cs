using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.BasicAuth;

/// <summary>
/// Reads <c>Authorization</c> (or <c>Proxy-Authorization</c>) as Kong does, checks the password against the
/// hash in the edge's consumer directory (no cluster call), and identifies the consumer or answers 401.
/// </summary>
internal sealed class BasicAuthHandler(string? anonymous, bool hideCredentials, string realm) : IPluginHandler
{
    public const string NoCredentials = "Unauthorized";
    public const string InvalidCredentials = "Invalid authentication credentials";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (AnonymousConsumer.AlreadyAuthenticated(context, anonymous))
        {
            return true;
        }

        var headers = context.HttpContext.Request.Headers;
        var header = headers.Authorization.Count > 0 ? headers.Authorization.ToString() : headers.ProxyAuthorization.ToString();
        if (header.Length > 0 && hideCredentials)
        {
            context.HideHeader(HeaderNames.Authorization);
            context.HideHeader(HeaderNames.ProxyAuthorization);
        }

        if (header.Length > 0 && headers.Authorization.Count < 2 && Parse(header) is var (username, password)
            && context.Consumers.Credential(EntityKind.BasicAuthCredential, username) is BasicAuthCredentialEntity credential
            && PasswordHash.Verify(credential.PasswordHash, password)
            && context.Consumers.Consumer(credential.ConsumerId) is { } consumer)
        {
            // Kong names a basic-auth credential by its username.
            context.Authenticate(consumer, credential.Id, credential.Username);
            return true;
        }

        if (anonymous is not null)
        {
            return await AnonymousConsumer.AuthenticateAsync(context, anonymous);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = $"Basic realm=\"{realm}\"";
        await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, header.Length == 0 ? NoCredentials : InvalidCredentials);
        return false;
    }

    /// <summary><c>Basic base64(username:password)</c>; null when the header is anything else.</summary>
    private static (string Username, string Password)? Parse(string header)
    {
        const string Scheme = "Basic ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[512];
        if (!Convert.TryFromBase64String(header[Scheme.Length..].Trim(), bytes, out var written))
        {
            return null;
        }

        var decoded = Encoding.UTF8.GetString(bytes[..written]);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }
}
