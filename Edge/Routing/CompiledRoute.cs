using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;

namespace Turnpike.Edge.Routing;

/// <summary>A route with everything the proxy needs per request precomputed: its service, conditions and plugin chain.</summary>
internal sealed class CompiledRoute
{
    private readonly string[]? _methods;
    private readonly HeaderRule[] _headers;

    public CompiledRoute(RouteEntity entity, CompiledService? service, PluginChain plugins, RegexCache regexes)
    {
        Entity = entity;
        Service = service;
        Plugins = plugins;
        _methods = entity.Methods is { Length: > 0 } methods ? methods : null;
        _headers = entity.Headers is { Count: > 0 } headers ? [.. headers.Select(h => new HeaderRule(h.Key, h.Value))] : [];
        // gRPC is HTTP/2: grpc is the cleartext listener's (h2c), grpcs the TLS one's, as http and https are.
        AllowsHttp = entity.Protocols.Contains("http") || entity.Protocols.Contains("grpc");
        AllowsHttps = entity.Protocols.Contains("https") || entity.Protocols.Contains("grpcs");
        IsGrpc = entity.Protocols.Contains("grpc") || entity.Protocols.Contains("grpcs");
        AllowsCleartextGrpc = entity.Protocols.Contains("grpc");
        PathHandlingV1 = entity.PathHandling == "v1";
        Entries = MatchEntry.For(this, regexes);
    }

    /// <summary>This route's entries in the matcher: one per path (or one for a route without paths).</summary>
    public IReadOnlyList<MatchEntry> Entries { get; }

    public RouteEntity Entity { get; }

    public Guid Id => Entity.Id;

    /// <summary>The route as Kong's metrics and logs label it: its name, else its id (made once, not per request).</summary>
    public string Label => field ??= Entity.Name ?? Entity.Id.ToString();

    public CompiledService? Service { get; }

    public PluginChain Plugins { get; }

    public bool AllowsHttp { get; }

    public bool AllowsHttps { get; }

    /// <summary>A gRPC route (protocols <c>grpc</c> and/or <c>grpcs</c>): it takes gRPC calls over HTTP/2 and nothing else.</summary>
    public bool IsGrpc { get; }

    /// <summary>The route takes gRPC in cleartext (<c>grpc</c>), not only over TLS (<c>grpcs</c>).</summary>
    public bool AllowsCleartextGrpc { get; }

    public bool PathHandlingV1 { get; }

    public bool Matches(string method, IHeaderDictionary headers)
    {
        if (_methods is not null && Array.IndexOf(_methods, method) < 0)
        {
            return false;
        }

        foreach (var rule in _headers)
        {
            if (!rule.Matches(headers))
            {
                return false;
            }
        }

        return true;
    }
}
