namespace Turnpike.Edge.Proxy;

/// <summary>
/// The log phase of a request (see <see cref="ProxyMiddleware"/>): the request is over, however it was answered —
/// forwarded, by a plugin, a cache, an exchange, or by the router before any route's plugins ran (then
/// <see cref="ProxyContext.Route"/> and <see cref="ProxyContext.Service"/> may be null). Consumers run in
/// <see cref="Order"/> (<see cref="LogPhaseOrder"/>), on the request's own thread, after the response was sent: keep
/// them cheap and non-blocking. One that throws costs a log line, never the consumers after it.
/// </summary>
internal interface IRequestLogPhase
{
    /// <summary>Where this consumer runs among the others, lowest first (<see cref="LogPhaseOrder"/>).</summary>
    int Order { get; }

    void OnCompleted(ProxyContext context);
}

/// <summary>The log phase's consumers in the order they run, each with the reason it comes where it does.</summary>
internal static class LogPhaseOrder
{
    /// <summary>First: AI reservations are settled, so the logs and meters after it see the settled call.</summary>
    public const int AiSettlement = 100;

    /// <summary>The plugins' own log phase (http-log, file-log, prometheus, opentelemetry...), in priority order.</summary>
    public const int Plugins = 200;

    /// <summary>Last of the gateway's: the billing meters, with every counter the plugins added.</summary>
    public const int Metering = 300;
}

/// <summary>
/// Runs when a request has reached a service and before its plugins' access phase: what a consumer of the log phase
/// must set up to measure the request (metering counts a body of unknown length as it is read). Not run for requests
/// the router answered.
/// </summary>
internal interface IRequestBeginPhase
{
    void OnBegin(ProxyContext context);
}
