using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// Who is calling this admin request, for the endpoints whose answers depend on it (private keys are not shown to a
/// <c>read-only</c> admin). The authentication middleware records the identity it checked; no identity means the admin
/// API is open (nobody to authenticate yet, as with <c>--dev</c>), where everything is shown, as Kong does.
/// </summary>
internal static class AdminCaller
{
    public static void Set(HttpContext context, AdminIdentity identity) => context.Features.Set(identity);

    /// <summary>The authenticated caller, or null when the admin API is open.</summary>
    public static AdminIdentity? Of(HttpContext context) => context.Features.Get<AdminIdentity>();

    /// <summary>Whether answers may carry secrets such as private keys: not for a read-only admin.</summary>
    public static bool MaySeeSecrets(HttpContext context) => Of(context) is not { Role: AdminRole.ReadOnly };
}
