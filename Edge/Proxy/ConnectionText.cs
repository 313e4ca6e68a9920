using System.Globalization;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// A connection's client address and local port as text, made once per connection and kept in its items:
/// every request on a keep-alive connection sends them upstream (X-Forwarded-For, X-Real-IP, X-Forwarded-Port).
/// </summary>
internal sealed class ConnectionText
{
    private static readonly object Key = typeof(ConnectionText);

    private ConnectionText(HttpContext context)
    {
        RemoteAddress = context.Connection.RemoteIpAddress?.ToString() ?? "";
        LocalPort = context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture);
    }

    public string RemoteAddress { get; }

    public string LocalPort { get; }

    public static ConnectionText Of(HttpContext context)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items)
        {
            return new ConnectionText(context);
        }

        if (items.TryGetValue(Key, out var known) && known is ConnectionText text)
        {
            return text;
        }

        text = new ConnectionText(context);
        items[Key] = text;
        return text;
    }
}
