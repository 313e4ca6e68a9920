using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.RateLimiting;
using Turnpike.RateLimiting;
using Xunit;

namespace Turnpike.Tests.RateLimiting;

/// <summary>An edge's own counters (Kong's local policy) on a fake clock: windows turn over when time is moved, not slept through.</summary>
[Fast]
public sealed class LocalQuotaTests
{
    private static readonly WindowLimit[] MinuteOf3 = [new(RateLimitWindow.Minute, 3)];

    // Ten seconds into a minute (and an hour): well inside every window, whenever the test runs.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 10, TimeSpan.Zero));

    [Fact]
    public void A_window_admits_up_to_its_limit_and_again_in_the_next_period()
    {
        var quota = new LocalQuota(_time);
        var outcomes = Enumerable.Range(0, 4).Select(_ => quota.TryAcquire("k", MinuteOf3, 1).Outcome).ToList();
        Assert.Equal([QuotaOutcome.Admitted, QuotaOutcome.Admitted, QuotaOutcome.Admitted, QuotaOutcome.Rejected], outcomes);

        var rejected = quota.TryAcquire("k", MinuteOf3, 1);
        Assert.Equal(50L, rejected.ResetSeconds[0]);

        _time.Advance(TimeSpan.FromSeconds(50));
        var next = quota.TryAcquire("k", MinuteOf3, 1);
        Assert.Equal(QuotaOutcome.Admitted, next.Outcome);
        Assert.Equal(2L, next.Remaining[0]);
    }

    [Fact]
    public void A_settled_cost_counts_only_in_the_period_it_was_taken_in()
    {
        var quota = new LocalQuota(_time);
        var takenAt = quota.Now;
        Assert.Equal(QuotaOutcome.Admitted, quota.TryAcquire("k", MinuteOf3, 1).Outcome);
        quota.Settle("k", MinuteOf3, 2, takenAt); // the request cost 3, not 1
        Assert.Equal(QuotaOutcome.Rejected, quota.TryAcquire("k", MinuteOf3, 1).Outcome);

        // A settlement that arrives after the minute turned over is not charged to the new period.
        _time.Advance(TimeSpan.FromMinutes(1));
        quota.Settle("k", MinuteOf3, 2, takenAt);
        Assert.Equal(2L, quota.TryAcquire("k", MinuteOf3, 1).Remaining[0]);
    }

    [Fact]
    public void A_sweep_keeps_a_counter_while_any_of_its_periods_lasts()
    {
        var quota = new LocalQuota(_time);
        WindowLimit[] minuteAndHour = [new(RateLimitWindow.Minute, 3), new(RateLimitWindow.Hour, 5)];
        quota.TryAcquire("k", minuteAndHour, 3);

        // The minute is over but the hour is not: the sweep keeps the counter, and the hour still holds its 3.
        _time.Advance(TimeSpan.FromMinutes(1));
        quota.Sweep();
        var next = quota.TryAcquire("k", minuteAndHour, 1);
        Assert.Equal((2L, 1L), (next.Remaining[0], next.Remaining[1]));
    }
}
