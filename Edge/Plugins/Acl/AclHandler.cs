using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.Acl;

/// <summary>
/// Runs after the auth plugins (lower priority): no identified consumer → 401, a consumer outside the allowed
/// groups (or in a denied one) → 403; otherwise the upstream learns the groups in <c>X-Consumer-Groups</c>.
/// </summary>
internal sealed class AclHandler(HashSet<string>? allow, HashSet<string>? deny, bool hideGroupsHeader) : IPluginHandler
{
    public const string Forbidden = "You cannot consume this service";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (context.Consumer is not { } consumer)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized");
            return false;
        }

        var groups = context.Consumers.HeldBy(EntityKind.Acl, consumer.Id);
        var blocked = allow is not null ? !groups.Overlaps(allow) : groups.Overlaps(deny!);
        if (blocked)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, Forbidden);
            return false;
        }

        if (!hideGroupsHeader && groups.Count > 0)
        {
            context.SetUpstreamHeader("X-Consumer-Groups", string.Join(", ", groups));
        }

        return true;
    }
}
