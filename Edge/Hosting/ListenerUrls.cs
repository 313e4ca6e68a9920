using System.Net;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>
/// Parses listener URLs into endpoints: <c>http://127.0.0.1:8000</c>, <c>https://0.0.0.0:8443</c> (TLS, HTTP/2 by
/// ALPN), and on the proxy <c>h2c://127.0.0.1:9080</c> (HTTP/2 cleartext with prior knowledge, as Kong's
/// <c>http2</c> listen flag without <c>ssl</c>: for gRPC clients inside a trusted network).
/// </summary>
internal static class ListenerUrls
{
    public static IReadOnlyList<ListenerEndpoint> Parse(string urls, string key, bool allowH2c = false)
    {
        var endpoints = new List<ListenerEndpoint>();
        foreach (var url in urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
            var schemes = allowH2c ? "http, https or h2c" : "http or https";
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || Transport(uri.Scheme, allowH2c) is not { } transport || !HasPort(normalized))
            {
                throw new ConfigurationProblemException($"{key}: '{url}' is not a listener URL such as http://127.0.0.1:8000 ({schemes}; port required).");
            }

            var host = uri.Host.Trim('[', ']');
            var address = host switch
            {
                "localhost" => IPAddress.Loopback,
                "0.0.0.0" => IPAddress.Any,
                _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
            } ?? throw new ConfigurationProblemException($"{key}: '{url}' must name an IP address, localhost or 0.0.0.0.");
            endpoints.Add(new ListenerEndpoint(new IPEndPoint(address, uri.Port), transport));
        }

        if (endpoints.Count == 0)
        {
            throw new ConfigurationProblemException($"{key} must name at least one URL.");
        }

        return endpoints;
    }

    private static ListenerTransport? Transport(string scheme, bool allowH2c) => scheme switch
    {
        "http" => ListenerTransport.Http,
        "https" => ListenerTransport.Https,
        "h2c" when allowH2c => ListenerTransport.H2c,
        _ => null,
    };

    /// <summary>A port must be written out: a scheme's default port is no default for a gateway's listener.</summary>
    private static bool HasPort(string url)
    {
        var authority = url.AsSpan(url.IndexOf("://", StringComparison.Ordinal) + 3);
        var slash = authority.IndexOf('/');
        authority = slash < 0 ? authority : authority[..slash];
        return authority[(authority.LastIndexOf(']') + 1)..].Contains(':');
    }
}
