using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// Finds the admin token of a request and who it belongs to: the bootstrap token from configuration, or an admin of
/// this edge's table snapshot. No call to the cluster, so a client trying tokens costs the edge hashing only.
/// </summary>
internal sealed class AdminAuthenticator
{
    public const string TokenHeader = "Kong-Admin-Token";
    private const string BearerPrefix = "Bearer ";

    // Kept hashed: compared in fixed time whatever the presented token's length.
    private readonly string? _bootstrap;

    public AdminAuthenticator(IOptions<AdminAuthenticationOptions> options)
    {
        _bootstrap = string.IsNullOrEmpty(options.Value.Token) ? null : options.Value.Token;
    }

    public bool HasBootstrapToken => _bootstrap is not null;

    /// <summary>Authentication is on once there is anyone to authenticate: a bootstrap token, or an admin in the table.</summary>
    public bool IsEnforced(AdminDirectory admins) => _bootstrap is not null || admins.Count > 0;

    public (AdminIdentity? Identity, AdminAuthFailure Failure) Authenticate(IHeaderDictionary headers, AdminDirectory admins)
    {
        var (token, failure) = TokenOf(headers);
        if (token is null)
        {
            return (null, failure);
        }

        if (_bootstrap is not null && AdminToken.FixedTimeEquals(token, _bootstrap))
        {
            return (AdminIdentity.Bootstrap, AdminAuthFailure.None);
        }

        return admins.Verify(token) is { } admin && AdminRoles.Parse(admin.Role) is { } role
            ? (new AdminIdentity(admin.Username, role), AdminAuthFailure.None)
            : (null, AdminAuthFailure.Unknown);
    }

    /// <summary>The token from <c>Kong-Admin-Token</c> or <c>Authorization: Bearer</c>; both may be given when they agree.</summary>
    public static (string? Token, AdminAuthFailure Failure) TokenOf(IHeaderDictionary headers)
    {
        var kong = headers[TokenHeader];
        var authorization = headers.Authorization;
        if (kong.Count > 1 || authorization.Count > 1)
        {
            return (null, AdminAuthFailure.Malformed);
        }

        var fromHeader = Single(kong);
        var fromBearer = Single(authorization) is { } value && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? value[BearerPrefix.Length..]
            : null;
        if (fromHeader is null && fromBearer is null)
        {
            return (null, AdminAuthFailure.Missing);
        }

        // Before any hashing: a 30 KB header is refused for its length, not hashed.
        if ((fromHeader is not null && !AdminToken.IsWellFormed(fromHeader)) || (fromBearer is not null && !AdminToken.IsWellFormed(fromBearer)))
        {
            return (null, AdminAuthFailure.Malformed);
        }

        return fromHeader is not null && fromBearer is not null && !AdminToken.FixedTimeEquals(fromHeader, fromBearer)
            ? (null, AdminAuthFailure.Conflicting)
            : (fromHeader ?? fromBearer, AdminAuthFailure.None);
    }

    /// <summary>The one value of a header given once and not empty (a header given empty counts as not given).</summary>
    private static string? Single(StringValues values) => values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
