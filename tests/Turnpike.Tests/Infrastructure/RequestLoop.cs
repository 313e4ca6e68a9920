using System.Collections.Concurrent;
using System.Diagnostics;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// Sends one request after another until disposed and records each outcome with its time, so a test can
/// say which requests failed while it killed or restarted something, and when they succeeded again.
/// </summary>
internal sealed class RequestLoop : IAsyncDisposable
{
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock;

    private RequestLoop(Stopwatch clock, Func<int, Task<(bool Ok, string Detail)>> send)
    {
        _clock = clock;
        _loop = Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var started = _clock.Elapsed;
                (bool Ok, string Detail) result;
                try
                {
                    result = await send(i);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    result = (false, ex.GetType().Name + ": " + ex.Message);
                }

                _outcomes.Enqueue(new Outcome(i, started, result.Ok, result.Detail));

                // A few hundred requests a second show every failure without starving the other tests of CPU;
                // a failing cluster is not hammered.
                await Task.Delay(result.Ok ? 2 : 20);
            }
        });
    }

    public IReadOnlyList<Outcome> Outcomes => [.. _outcomes];

    public IReadOnlyList<Outcome> Failures => [.. _outcomes.Where(o => !o.Ok)];

    public static RequestLoop Start(Stopwatch clock, Func<int, Task<(bool Ok, string Detail)>> send) => new(clock, send);

    /// <summary>Waits until at least <paramref name="count"/> more requests have succeeded.</summary>
    public async Task WaitForSuccessesAsync(int count, TimeSpan timeout)
    {
        var target = _outcomes.Count(o => o.Ok) + count;
        var deadline = Stopwatch.StartNew();
        while (_outcomes.Count(o => o.Ok) < target)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"fewer than {count} requests succeeded within {timeout}; last failures: "
                    + string.Join("; ", Failures.TakeLast(3).Select(f => f.Detail)));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the loop; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
    }

    internal sealed record Outcome(int Index, TimeSpan At, bool Ok, string Detail);
}
