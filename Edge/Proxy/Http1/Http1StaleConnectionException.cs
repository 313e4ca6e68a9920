namespace Turnpike.Edge.Proxy.Http1;

/// <summary>A pooled connection the upstream had closed while idle failed before any answer: the request goes again on another.</summary>
internal sealed class Http1StaleConnectionException() : Exception("The upstream closed an idle connection.");
