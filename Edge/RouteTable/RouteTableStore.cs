namespace Turnpike.Edge.RouteTable;

/// <summary>Holds the snapshot the proxy serves from; readers never lock, the sync swaps in a new one atomically.</summary>
internal sealed class RouteTableStore
{
    private volatile RouteTableSnapshot _current = RouteTableSnapshot.Empty;

    public RouteTableSnapshot Current => _current;

    /// <summary>When the edge last heard from the route table grain (UTC), or null if never.</summary>
    public DateTimeOffset? LastContact { get; private set; }

    public void Publish(RouteTableSnapshot snapshot) => _current = snapshot;

    public void MarkContact(DateTimeOffset when) => LastContact = when;
}
