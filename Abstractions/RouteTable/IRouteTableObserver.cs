namespace Turnpike.RouteTable;

/// <summary>Implemented by edges: told, one-way, that the table moved to a new version.</summary>
public interface IRouteTableObserver : IGrainObserver
{
    /// <summary>The table is at <paramref name="version"/>: an edge that does not hold it asks for the changes.</summary>
    [OneWay]
    Task OnRouteTableChanged(long version);

    /// <summary>
    /// The table moved from <paramref name="fromVersion"/> to <c>delta.Version</c> by <paramref name="delta"/>: an edge at
    /// <paramref name="fromVersion"/> of the same lineage applies it without asking the grain; any other asks as for
    /// <see cref="OnRouteTableChanged"/>. Sent for each write, so a fleet does not come back to one grain after each.
    /// </summary>
    [OneWay]
    Task OnRouteTableDelta(long fromVersion, RouteTableDelta delta);
}
