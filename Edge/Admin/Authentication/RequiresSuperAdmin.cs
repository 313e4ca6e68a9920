namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Endpoint metadata: only a super-admin may call this endpoint, whatever the method (the <c>/admins</c> API).</summary>
internal sealed class RequiresSuperAdmin
{
    public static readonly RequiresSuperAdmin Instance = new();

    private RequiresSuperAdmin()
    {
    }
}
