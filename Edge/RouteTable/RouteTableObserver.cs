using System.Threading.Channels;

namespace Turnpike.Edge.RouteTable;

/// <summary>Receives the route table's notices (a version, or a version with its change) and hands them to the sync loop.</summary>
internal sealed class RouteTableObserver : IRouteTableObserver
{
    // The latest notice only: a change overtaken by another cannot be applied alone, and the loop then asks for all of them.
    private readonly Channel<RouteTableNotice> _notices = Channel.CreateBounded<RouteTableNotice>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<RouteTableNotice> Notices => _notices.Reader;

    public Task OnRouteTableChanged(long version)
    {
        _notices.Writer.TryWrite(new RouteTableNotice(version, -1, null));
        return Task.CompletedTask;
    }

    public Task OnRouteTableDelta(long fromVersion, RouteTableDelta delta)
    {
        _notices.Writer.TryWrite(new RouteTableNotice(delta.Version, fromVersion, delta));
        return Task.CompletedTask;
    }
}
