namespace Turnpike.RouteTable;

/// <summary>Implemented by edges: told, one-way, that the table moved to a new version.</summary>
public interface IRouteTableObserver : IGrainObserver
{
    [OneWay]
    Task OnRouteTableChanged(long version);
}
