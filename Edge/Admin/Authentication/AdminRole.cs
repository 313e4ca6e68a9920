namespace Turnpike.Edge.Admin.Authentication;

/// <summary>What an admin may do, lowest first: each role may do what the ones below it may.</summary>
internal enum AdminRole
{
    /// <summary>GET and HEAD on everything but <c>/admins</c>.</summary>
    ReadOnly,

    /// <summary>Any method on everything but <c>/admins</c>.</summary>
    Admin,

    /// <summary>Everything, <c>/admins</c> included.</summary>
    SuperAdmin,
}

/// <summary>The roles' names on the admin API, as <see cref="AdminEntity.Role"/> stores them.</summary>
internal static class AdminRoles
{
    public const string ReadOnly = "read-only";
    public const string Admin = "admin";
    public const string SuperAdmin = "super-admin";

    public static readonly string[] Names = [ReadOnly, Admin, SuperAdmin];

    public static AdminRole? Parse(string? name) => name switch
    {
        ReadOnly => AdminRole.ReadOnly,
        Admin => AdminRole.Admin,
        SuperAdmin => AdminRole.SuperAdmin,
        _ => null,
    };

    public static string NameOf(AdminRole role) => role switch
    {
        AdminRole.ReadOnly => ReadOnly,
        AdminRole.Admin => Admin,
        _ => SuperAdmin,
    };
}
