using System.Threading.Channels;

namespace Turnpike.Edge.RouteTable;

/// <summary>Receives the route table's change notifications and hands them to the sync loop.</summary>
internal sealed class RouteTableObserver : IRouteTableObserver
{
    private readonly Channel<long> _versions = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<long> Versions => _versions.Reader;

    public Task OnRouteTableChanged(long version)
    {
        _versions.Writer.TryWrite(version);
        return Task.CompletedTask;
    }
}
