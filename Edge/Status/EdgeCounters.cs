namespace Turnpike.Edge.Status;

/// <summary>Connection and request counts for <c>/status</c>, kept with interlocked increments only.</summary>
internal sealed class EdgeCounters
{
    private long _accepted;
    private long _active;
    private long _requests;
    private long _refused;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Active => Interlocked.Read(ref _active);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Proxy connections closed at once because the listener had <c>MaxConcurrentConnections</c> open.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _active);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _active);

    public void ConnectionRefused() => Interlocked.Increment(ref _refused);

    public void CountRequest() => Interlocked.Increment(ref _requests);
}
