using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Turnpike.Edge.RateLimiting;
using Turnpike.RateLimiting;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>The counter grain and an edge's leases on Orleans.TestingHost: what is granted, returned and spent.</summary>
[Collection(RouteTableClusterCollection.Name)]
public sealed class RateLimitCounterTests(RouteTableClusterFixture fixture)
{
    private static readonly WindowLimit[] HourOf10 = [new(RateLimitWindow.Hour, 10)];

    private IRateLimitCounterGrain Counter() => fixture.Cluster.GrainFactory.GetGrain<IRateLimitCounterGrain>(Guid.NewGuid().ToString());

    [Fact]
    public async Task A_counter_grants_no_more_than_the_limit_in_a_period_and_takes_returned_permits_back()
    {
        await Infrastructure.RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
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
        await Infrastructure.RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var metrics = new RateLimitMetrics();
        var quota = new ClusterQuota(fixture.Cluster.GrainFactory, Options.Create(new QuotaOptions()), metrics, NullLogger<ClusterQuota>.Instance);
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
}
