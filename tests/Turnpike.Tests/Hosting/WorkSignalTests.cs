using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Hosting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class WorkSignalTests
{
    [Fact]
    public async Task A_loop_with_nothing_to_do_sleeps_until_work_is_notified()
    {
        var signal = new WorkSignal();
        var armed = signal.Arm();
        var waiting = WorkSignal.WaitAsync(armed, null, new FakeTimeProvider(), CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        signal.Notify();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Work_notified_after_arming_but_before_waiting_is_not_missed()
    {
        var signal = new WorkSignal();
        var armed = signal.Arm();
        signal.Notify(); // between the loop's look for work and its wait

        await WorkSignal.WaitAsync(armed, null, new FakeTimeProvider(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Every_loop_waiting_on_one_signal_is_woken()
    {
        var signal = new WorkSignal();
        var first = WorkSignal.WaitAsync(signal.Arm(), null, new FakeTimeProvider(), CancellationToken.None);
        var second = WorkSignal.WaitAsync(signal.Arm(), null, new FakeTimeProvider(), CancellationToken.None);

        signal.Notify();

        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_wait_with_a_delay_ends_when_the_delay_passes_without_work()
    {
        var time = new FakeTimeProvider();
        var signal = new WorkSignal();
        var waiting = WorkSignal.WaitAsync(signal.Arm(), TimeSpan.FromSeconds(10), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
