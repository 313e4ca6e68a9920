using System.Net;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>Parses listener URLs (<c>http://127.0.0.1:8000</c>, <c>http://0.0.0.0:8000</c>, <c>http://localhost:8000</c>) into endpoints.</summary>
internal static class ListenerUrls
{
    public static IReadOnlyList<IPEndPoint> Parse(string urls, string key)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var url in urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || (uri.IsDefaultPort && !normalized.Contains(":80", StringComparison.Ordinal)))
            {
                throw new ConfigurationProblemException($"{key}: '{url}' is not a listener URL such as http://127.0.0.1:8000 (http only, port required).");
            }

            var host = uri.Host.Trim('[', ']');
            if (host is "localhost")
            {
                endpoints.Add(new IPEndPoint(IPAddress.Loopback, uri.Port));
            }
            else if (host is "0.0.0.0")
            {
                endpoints.Add(new IPEndPoint(IPAddress.Any, uri.Port));
            }
            else if (IPAddress.TryParse(host, out var address))
            {
                endpoints.Add(new IPEndPoint(address, uri.Port));
            }
            else
            {
                throw new ConfigurationProblemException($"{key}: '{url}' must name an IP address, localhost or 0.0.0.0.");
            }
        }

        if (endpoints.Count == 0)
        {
            throw new ConfigurationProblemException($"{key} must name at least one URL.");
        }

        return endpoints;
    }
}
