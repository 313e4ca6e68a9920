namespace Turnpike.Edge.RouteTable;

/// <summary>Holds the snapshot the proxy serves from; readers never lock, the sync swaps in a new one atomically.</summary>
internal sealed class RouteTableStore
{
    private volatile RouteTableSnapshot _current = RouteTableSnapshot.Empty;

    public RouteTableSnapshot Current => _current;

    /// <summary>When the edge last heard from the route table grain (UTC), or null if never.</summary>
    public DateTimeOffset? LastContact { get; private set; }

    // Completed and replaced on each publish, for the few that wait for a version (a write forwarded to another region).
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Publish(RouteTableSnapshot snapshot)
    {
        _current = snapshot;
        Interlocked.Exchange(ref _published, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Waits until the served table is at <paramref name="version"/> or later; false when the timeout came first.</summary>
    public async Task<bool> WaitForVersionAsync(long version, TimeSpan timeout, TimeProvider time)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        while (true)
        {
            // Taken before the check: a publish after the check completes this one.
            var published = Volatile.Read(ref _published);
            if (_current.Version >= version)
            {
                return true;
            }

            try
            {
                await published.Task.WaitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                return _current.Version >= version;
            }
        }
    }

    public void MarkContact(DateTimeOffset when) => LastContact = when;
}
