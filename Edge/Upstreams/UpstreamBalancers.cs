using Turnpike.Edge.Hosting;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Upstreams;

/// <summary>The balancers of the table version the proxy serves, for the background work that keeps them current (DNS).</summary>
internal sealed class UpstreamBalancers
{
    private volatile IReadOnlyCollection<UpstreamBalancer> _current = [];

    public IReadOnlyCollection<UpstreamBalancer> Current => _current;

    /// <summary>Notified at each publish: the health checker and DNS refresher sleep on it while they have nothing to do.</summary>
    public WorkSignal Changed { get; } = new();

    public void Publish(IReadOnlyCollection<UpstreamBalancer> balancers)
    {
        _current = balancers;
        Changed.Notify();
    }
}
