using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins;

/// <summary>
/// A plugin that traces requests (opentelemetry). Its trace begins before any plugin's access phase, whatever its
/// priority, so the plugins run inside it (<see cref="PluginChain.Tracer"/>); the request's <see cref="ProxyContext.Trace"/>
/// then records each phase.
/// </summary>
internal interface IRequestTracer
{
    /// <summary>Starts the request's trace (or only propagates the context when it is not sampled).</summary>
    OpenTelemetry.RequestTrace? Begin(ProxyContext context);
}
