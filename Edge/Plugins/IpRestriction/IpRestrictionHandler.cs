using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.IpRestriction;

/// <summary>Refuses a client whose address is denied, or not allowed when an allow list is set (deny wins).</summary>
internal sealed class IpRestrictionHandler(IpRange[]? allow, IpRange[]? deny, int status, string message) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var address = context.HttpContext.Connection.RemoteIpAddress;
        var blocked = address is null
            || (deny is not null && deny.Any(r => r.Contains(address)))
            || (allow is not null && !allow.Any(r => r.Contains(address)));
        if (!blocked)
        {
            return true;
        }

        await ProxyErrors.WriteAsync(context.HttpContext, status, message);
        return false;
    }
}
