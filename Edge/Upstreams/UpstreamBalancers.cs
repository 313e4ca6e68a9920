using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Upstreams;

/// <summary>The balancers of the table version the proxy serves, for the background work that keeps them current (DNS).</summary>
internal sealed class UpstreamBalancers
{
    private volatile IReadOnlyCollection<UpstreamBalancer> _current = [];

    public IReadOnlyCollection<UpstreamBalancer> Current => _current;

    public void Publish(IReadOnlyCollection<UpstreamBalancer> balancers) => _current = balancers;
}
