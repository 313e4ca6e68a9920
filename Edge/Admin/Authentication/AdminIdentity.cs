namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Who an admin request is from: an admin of the table, or the bootstrap token of this edge's configuration.</summary>
internal sealed record AdminIdentity(string Username, AdminRole Role)
{
    /// <summary>The name the bootstrap token goes by in logs and messages; it is no admin of the table.</summary>
    public static readonly AdminIdentity Bootstrap = new("bootstrap", AdminRole.SuperAdmin);
}
