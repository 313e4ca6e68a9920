using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>The role a request needs: super-admin for the <c>/admins</c> API, admin to change anything else, read-only to read.</summary>
internal static class AdminAuthorization
{
    public static AdminRole Required(string method, bool adminsApi) =>
        adminsApi ? AdminRole.SuperAdmin
        : HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? AdminRole.ReadOnly
        : AdminRole.Admin;

    /// <summary>Kong RBAC's name for what a method does, for the 403 message.</summary>
    public static string ActionOf(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? "read"
        : HttpMethods.IsPost(method) ? "create"
        : HttpMethods.IsDelete(method) ? "delete"
        : "update";
}
