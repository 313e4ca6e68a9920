namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Admin API authentication settings (section <c>Turnpike:Admin</c>, beside the listener's <c>Urls</c>).</summary>
internal sealed class AdminAuthenticationOptions
{
    public const string Section = "Turnpike:Admin";
    public const string TokenKey = "Turnpike:Admin:Token";

    /// <summary>Also read when <see cref="TokenKey"/> is not set, for platforms that keep secrets in plain environment variables.</summary>
    public const string TokenVariable = "TURNPIKE_ADMIN_TOKEN";

    /// <summary>
    /// The bootstrap token: a super-admin on this edge only, never stored in the table, so the first admins can be
    /// created. Setting it turns authentication on, as does the table holding any admin.
    /// </summary>
    public string? Token { get; set; }
}
