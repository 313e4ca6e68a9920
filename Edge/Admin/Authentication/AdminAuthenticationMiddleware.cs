using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// Guards the admin listener. Runs after routing, so the <c>/admins</c> API is known by its endpoints'
/// <see cref="RequiresSuperAdmin"/> metadata rather than by matching paths, and before any endpoint, so an
/// unauthenticated client learns nothing, not even whether a path exists. Off while there is nobody to
/// authenticate (no bootstrap token, no admin in the table): today's open API for <c>--dev</c> and tests.
/// </summary>
internal sealed class AdminAuthenticationMiddleware(
    AdminAuthenticator authenticator,
    RouteTableStore store,
    AdminAuthMetrics metrics,
    ILogger<AdminAuthenticationMiddleware> logger)
{
    public const string InvalidCredentials = "Invalid credentials. Token or User credentials required";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var snapshot = store.Current;
        if (snapshot.Version < 0 && !authenticator.HasBootstrapToken)
        {
            // Whether the table holds admins is not known yet: closed rather than open.
            return AdminJson.MessageAsync(context, StatusCodes.Status503ServiceUnavailable, "no configuration loaded yet");
        }

        if (!authenticator.IsEnforced(snapshot.Admins))
        {
            return next(context);
        }

        var request = context.Request;
        var client = context.Connection.RemoteIpAddress?.ToString();
        var path = Proxy.PrintableText.Escape(request.Path.Value ?? "/"); // the client's text, for a log line
        var (identity, failure) = authenticator.Authenticate(request.Headers, snapshot.Admins);
        if (identity is null)
        {
            metrics.CountFailure();
            AdminAuthLog.Failed(logger, failure, request.Method, path, client);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return AdminJson.MessageAsync(context, StatusCodes.Status401Unauthorized, InvalidCredentials);
        }

        // The path test backs up the metadata: routing matches paths case-insensitively, and so does StartsWithSegments.
        var adminsApi = context.GetEndpoint()?.Metadata.GetMetadata<RequiresSuperAdmin>() is not null
            || request.Path.StartsWithSegments("/admins", StringComparison.OrdinalIgnoreCase);
        if (identity.Role < AdminAuthorization.Required(request.Method, adminsApi))
        {
            metrics.CountForbidden();
            AdminAuthLog.Forbidden(logger, identity.Username, AdminRoles.NameOf(identity.Role), request.Method, path, client);
            return AdminJson.MessageAsync(
                context,
                StatusCodes.Status403Forbidden,
                $"Forbidden: {identity.Username}, you do not have permissions to {AdminAuthorization.ActionOf(request.Method)} this resource");
        }

        AdminCaller.Set(context, identity);
        return next(context);
    }
}
