namespace Turnpike.Edge.Proxy;

/// <summary>
/// One pooled HTTP client to upstreams (a <see cref="SocketsHttpHandler"/> and its keep-alive connections) and who
/// holds it: <see cref="UpstreamClients"/> while a snapshot uses it, and every request forwarding with it. It is
/// disposed when the last holder lets go, so a retired pool never cuts a request or stream in flight, and a request
/// never starts on a disposed one (<see cref="TryAcquire"/> fails instead).
/// </summary>
internal sealed class UpstreamClient(UpstreamClientKey key, HttpMessageInvoker invoker)
{
    // 1 for the pool's own hold while the client is current, plus one per request using it; 0: disposed.
    private int _holds = 1;
    private int _retired;

    public UpstreamClientKey Key { get; } = key;

    public HttpMessageInvoker Invoker { get; } = invoker;

    /// <summary>True once disposed (no holder left).</summary>
    public bool IsDisposed => Volatile.Read(ref _holds) == 0;

    /// <summary>Takes a hold for one request; false when the client was already disposed.</summary>
    public bool TryAcquire()
    {
        var holds = Volatile.Read(ref _holds);
        while (holds > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holds, holds + 1, holds);
            if (seen == holds)
            {
                return true;
            }

            holds = seen;
        }

        return false;
    }

    /// <summary>Gives back a hold taken by <see cref="TryAcquire"/>.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holds) == 0)
        {
            Invoker.Dispose();
        }
    }

    /// <summary>No snapshot uses the client any more: the pool's hold goes, once.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }
    }
}
