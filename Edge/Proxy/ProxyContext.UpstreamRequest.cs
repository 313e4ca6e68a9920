using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Proxy;

/// <summary>The upstream request: its path, query, Host and headers, and the transform that builds it (phase 4).</summary>
internal sealed partial class ProxyContext
{
    public const string ViaValue = "1.1 turnpike";

    /// <summary>
    /// The path the upstream gets, escaped as on the wire (<see cref="RequestPath.Encoded"/>); a plugin may replace it
    /// (request-transformer's <c>replace.uri</c>, through <see cref="RequestPath.EscapeUnsafe"/>).
    /// </summary>
    public string UpstreamPath { get; set; } = upstreamPath;

    /// <summary>The query string the upstream gets, when a plugin changed it; the client's otherwise.</summary>
    public QueryString? UpstreamQuery { get; set; }

    /// <summary>The Host for the chosen target when it is not the destination's address (Kong's target host name or host_header).</summary>
    public string? UpstreamHost { get; set; }

    /// <summary>Request headers an auth plugin hid from the upstream (<c>hide_credentials</c>).</summary>
    public List<string>? HiddenHeaders { get; private set; }

    public void HideHeader(string name) => (HiddenHeaders ??= []).Add(name);

    /// <summary>Headers plugins add to the upstream request (e.g. <c>X-Consumer-Groups</c>), set after the consumer headers.</summary>
    public List<(string Name, string Value)>? UpstreamHeaders { get; private set; }

    public void SetUpstreamHeader(string name, string value) => (UpstreamHeaders ??= []).Add((name, value));

    /// <summary>Set by a plugin that talks to the upstream itself (ai-proxy): the proxy hands the request to it instead of forwarding.</summary>
    public IUpstreamExchange? Exchange { get; set; }

    /// <summary>When the request last left for the upstream (the forwarder's transform, or an exchange's <see cref="UpstreamCall"/>); 0 if it never did.</summary>
    public long ForwardTimestamp { get; private set; }

    /// <summary>The request leaves for the upstream now (each attempt of an exchange that tries another target).</summary>
    internal void MarkForwarded() => ForwardTimestamp = Stopwatch.GetTimestamp();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        proxyRequest.RequestUri = UpstreamUri(destinationPrefix, UpstreamPath, (UpstreamQuery ?? request.QueryString).Value);
        // The upstream sees the client's Host only with preserve_host; otherwise the service's host and port, or for
        // an upstream's target its name (or the upstream's host_header), as Kong sends them.
        proxyRequest.Headers.Host = Route?.Entity.PreserveHost == true ? request.Host.Value : UpstreamHost;

        // Kong trusts no client-sent X-Forwarded-* by default: it appends to X-Forwarded-For and sets the rest. Every
        // value goes through UpstreamRequestHeaders.Safe: the path and host are the client's text.
        var headers = proxyRequest.Headers;
        var connection = ConnectionText.Of(httpContext);
        var remote = connection.RemoteAddress;
        var forwardedFor = request.Headers["X-Forwarded-For"].ToString();
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-For", forwardedFor.Length == 0 ? remote : forwardedFor + ", " + remote);
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Proto", request.Scheme);
        UpstreamRequestHeaders.SetOrRemove(headers, "X-Forwarded-Host", request.Host.Host is { Length: > 0 } host ? host : null); // HTTP/1.0 may send none
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Port", connection.LocalPort); // the port the client connected to, as Kong sends it
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Path", forwardedPath);
        UpstreamRequestHeaders.SetOrRemove(headers, "X-Forwarded-Prefix", strippedPrefix is { Length: > 1 } ? strippedPrefix : null);
        UpstreamRequestHeaders.Set(headers, "X-Real-IP", remote);
        var via = request.Headers.Via.ToString();
        UpstreamRequestHeaders.Set(headers, "Via", via.Length == 0 ? ViaValue : via + ", " + ViaValue);
        if (Consumer is { } consumer)
        {
            // The headers Kong's auth plugins give the upstream; absent fields are removed.
            UpstreamRequestHeaders.Set(headers, "X-Consumer-ID", consumer.Id.ToString());
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Consumer-Username", consumer.Username);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Consumer-Custom-ID", consumer.CustomId);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Credential-Identifier", CredentialIdentifier);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Anonymous-Consumer", IsAnonymous ? "true" : null);
        }

        foreach (var hidden in HiddenHeaders ?? [])
        {
            headers.Remove(hidden);
        }

        foreach (var (name, value) in UpstreamHeaders ?? [])
        {
            Proxy.UpstreamRequestHeaders.Set(headers, name, value);
        }

        MarkForwarded();
    }

    /// <summary>The upstream's URI from the destination, the escaped path and the raw query: nothing is escaped twice.</summary>
    public static Uri UpstreamUri(string destinationPrefix, string escapedPath, string? query)
    {
        var prefix = destinationPrefix.EndsWith('/') ? destinationPrefix.AsSpan(0, destinationPrefix.Length - 1) : destinationPrefix;
        return new Uri(string.Concat(prefix, escapedPath, query), UriKind.Absolute);
    }
}
