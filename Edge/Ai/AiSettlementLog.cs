using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Settles what no exchange settled: token and money reservations of a request that never reached a provider through ai-proxy
/// (a plugin answered it, or it was forwarded plainly) give them back. An exchange settles earlier itself,
/// before the answer's last bytes; settling is once per request, so this is a no-op then.
/// </summary>
internal sealed class AiSettlementLog : IRequestLogPhase
{
    public int Order => LogPhaseOrder.AiSettlement;

    public void OnCompleted(ProxyContext context) => context.Ai?.Settle(AiUsage.None, 0);
}
