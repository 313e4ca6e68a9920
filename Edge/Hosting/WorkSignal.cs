namespace Turnpike.Edge.Hosting;

/// <summary>
/// Lets a background loop sleep while it has nothing to do instead of ticking: an idle edge of a large fleet should
/// cost nothing, and every timer tick wakes the thread pool (which then spins). The loop arms the signal, then looks
/// for work, and if it finds none awaits what <see cref="Arm"/> returned; whoever makes work calls
/// <see cref="Notify"/>, which costs one volatile read while nobody waits, so it may sit on the request path.
/// </summary>
internal sealed class WorkSignal
{
    private TaskCompletionSource? _armed;

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> (shared by every loop waiting on this signal). Look for
    /// work after arming, not before, or a notification may be missed.
    /// </summary>
    public Task Arm()
    {
        var armed = Volatile.Read(ref _armed);
        if (armed is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            armed = Interlocked.CompareExchange(ref _armed, fresh, null) ?? fresh;
        }

        Interlocked.MemoryBarrier(); // the caller's look for work must not move before the signal is armed
        return armed.Task;
    }

    /// <summary>There is work: wakes the loops that wait.</summary>
    public void Notify()
    {
        if (Volatile.Read(ref _armed) is not null)
        {
            Interlocked.Exchange(ref _armed, null)?.TrySetResult();
        }
    }

    /// <summary>Waits for <paramref name="armed"/> (from <see cref="Arm"/>) or, when given, <paramref name="delay"/>, whichever comes first.</summary>
    public static async Task WaitAsync(Task armed, TimeSpan? delay, TimeProvider time, CancellationToken cancellationToken)
    {
        if (delay is not { } wait)
        {
            await armed.WaitAsync(cancellationToken);
            return;
        }

        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(wait, time, stop.Token);
        await Task.WhenAny(armed, elapsed);
        await stop.CancelAsync(); // the delay's timer goes now, not when it would have fired
        cancellationToken.ThrowIfCancellationRequested();
    }
}
