using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.RateLimiting;
using Turnpike.RateLimiting;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>
/// The counter grain and an edge's leases on Orleans.TestingHost: what is granted, returned and spent. The counter's
/// clock is fake and stands well inside every window (<see cref="QuotaClusterFixture"/>), so no test waits for a window to turn.
/// </summary>
public sealed class RateLimitCounterTests(QuotaClusterFixture fixture) : IClassFixture<QuotaClusterFixture>
{
    private static readonly WindowLimit[] HourOf10 = [new(RateLimitWindow.Hour, 10)];

    /// <summary>An edge's quota client on the test cluster.</summary>
    private ClusterQuota Edge(RateLimitMetrics? metrics = null, TimeProvider? time = null) =>
        new(fixture.Cluster.GrainFactory, Options.Create(new QuotaOptions()), metrics ?? new RateLimitMetrics(), time ?? TimeProvider.System, NullLogger<ClusterQuota>.Instance);

    private IRateLimitCounterGrain Counter() => fixture.Cluster.GrainFactory.GetGrain<IRateLimitCounterGrain>(Guid.NewGuid().ToString());

    [Fact]
    public async Task A_counter_grants_no_more_than_the_limit_in_a_period_and_takes_returned_permits_back()
    {
        var counter = Counter();
        var first = await counter.Acquire(new QuotaRequest { Limits = HourOf10, Wanted = 7 });
        var second = await counter.Acquire(new QuotaRequest { Limits = HourOf10, Wanted = 7 });
        var third = await counter.Acquire(new QuotaRequest { Limits = HourOf10, Wanted = 1 });
        Assert.Equal((7, 3, 0), (first.Granted, second.Granted, third.Granted));
        Assert.Equal(0, third.Remaining[0]);

        // Four unspent permits of the first lease come back and can be granted again.
        var returned = await counter.Acquire(new QuotaRequest { Limits = HourOf10, Wanted = 10, Returned = 4, ReturnedPeriods = first.Periods });
        Assert.Equal(4, returned.Granted);

        // Permits returned against a period that has ended are not credited.
        var stale = await counter.Acquire(new QuotaRequest { Limits = HourOf10, Wanted = 10, Returned = 4, ReturnedPeriods = [first.Periods[0] - 3600] });
        Assert.Equal(0, stale.Granted);
    }

    [Fact]
    public async Task A_lease_lasts_no_longer_than_the_shortest_windows_period()
    {
        var grant = await Counter().Acquire(new QuotaRequest { Limits = [new(RateLimitWindow.Second, 100), new(RateLimitWindow.Hour, 1000)], Wanted = 5 });
        Assert.Equal(5, grant.Granted);
        Assert.InRange(grant.ValidForMs, 0, 1000);
        Assert.Equal([1, grant.ResetSeconds[1]], grant.ResetSeconds);
    }

    [Fact]
    public async Task An_edge_spends_requests_that_cost_several_permits_until_the_counter_has_too_few()
    {
        var metrics = new RateLimitMetrics();
        var quota = Edge(metrics);
        var key = Guid.NewGuid().ToString();
        var outcomes = new List<QuotaOutcome>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add((await quota.AcquireAsync(key, HourOf10, cost: 3)).Outcome);
        }

        // 10 an hour at 3 a request: three requests (9 permits), then too few are left.
        Assert.Equal([QuotaOutcome.Admitted, QuotaOutcome.Admitted, QuotaOutcome.Admitted, QuotaOutcome.Rejected, QuotaOutcome.Rejected], outcomes);
        Assert.True(metrics.GrainCalls <= 4, $"{metrics.GrainCalls} counter calls for 5 requests");
    }

    [Fact]
    public async Task A_cost_settled_above_what_was_taken_is_charged_to_every_window_still_in_its_period()
    {
        // Minute and hour limits; the overrun is charged when the sweep runs, to both windows in the periods it was taken in.
        WindowLimit[] limits = [new(RateLimitWindow.Minute, 100), new(RateLimitWindow.Hour, 1000)];
        var time = new FakeTimeProvider();
        var edge = Edge(time: time);
        var key = Guid.NewGuid().ToString();
        var taken = await edge.AcquireAsync(key, limits, cost: 10);
        Assert.Equal(QuotaOutcome.Admitted, taken.Outcome);
        edge.Settle(key, 60, taken.Periods!); // 70 used where 10 were taken
        await edge.SweepAsync();

        // Once the lease has run out and gone back (its top-ups included), the counter holds 10 + 60 in both windows.
        // The lease's expiry is measured on the edge's clock, here a fake one moved past it.
        time.Advance(TimeSpan.FromSeconds(1.2));
        await edge.SweepAsync();
        var counter = fixture.Cluster.GrainFactory.GetGrain<IRateLimitCounterGrain>(key);
        var now = await counter.Acquire(new QuotaRequest { Limits = limits, Wanted = 0 });
        Assert.Equal([30, 930], now.Remaining);
    }

    [Fact]
    public async Task A_cost_settled_below_what_was_taken_gives_the_difference_back()
    {
        var edge = Edge();
        var key = Guid.NewGuid().ToString();
        var taken = await edge.AcquireAsync(key, HourOf10, cost: 8);
        edge.Settle(key, -6, taken.Periods!); // only 2 used

        // The lease holds the 6 again: this edge spends them without asking the counter.
        Assert.Equal(QuotaOutcome.Admitted, (await edge.AcquireAsync(key, HourOf10, cost: 6)).Outcome);
        Assert.Equal(QuotaOutcome.Rejected, (await edge.AcquireAsync(key, HourOf10, cost: 3)).Outcome);
    }
}
