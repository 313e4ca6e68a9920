namespace Turnpike.Edge.Proxy;

/// <summary>
/// Phase 7 of a proxied request (see <see cref="ProxyMiddleware"/>): the request is over, however it was answered.
/// Metering and AI settlement consume it; a logging plugin would too. Runs in registration order, on the request's
/// own thread, after the response was sent: keep it cheap and non-blocking.
/// </summary>
internal interface IRequestLogPhase
{
    void OnCompleted(ProxyContext context);
}
