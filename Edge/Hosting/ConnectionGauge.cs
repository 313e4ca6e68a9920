namespace Turnpike.Edge.Hosting;

/// <summary>Open connections of one listener.</summary>
internal sealed class ConnectionGauge
{
    private long _open;

    public bool TryEnter(long max)
    {
        if (Interlocked.Increment(ref _open) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);
}
