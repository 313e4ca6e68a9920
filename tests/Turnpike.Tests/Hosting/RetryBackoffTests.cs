using Turnpike.Hosting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class RetryBackoffTests
{
    [Fact]
    public void Delays_double_from_the_initial_delay_up_to_the_cap_each_jittered_between_half_and_all()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), new Random(7));
        double[] ceilings = [250, 500, 1000, 2000, 4000, 5000, 5000, 5000];

        foreach (var ceiling in ceilings)
        {
            var delay = backoff.Next().TotalMilliseconds;
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.Equal(ceilings.Length, backoff.Failures);
    }

    [Fact]
    public void A_success_starts_the_next_failure_from_the_initial_delay()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), new Random(1));
        for (var i = 0; i < 20; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(TimeSpan.Zero, backoff.Current);
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void Edges_failing_at_the_same_moment_retry_at_spread_times()
    {
        var random = new Random(3);
        var delays = Enumerable.Range(0, 200).Select(_ =>
        {
            var backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), random);
            return backoff.Next().TotalMilliseconds;
        }).ToArray();

        // 200 edges over half a second: no millisecond holds more than a handful.
        Assert.True(delays.Max() - delays.Min() > 400, $"spread {delays.Max() - delays.Min()} ms");
        Assert.True(delays.GroupBy(d => (int)d).Max(g => g.Count()) <= 5);
    }
}
