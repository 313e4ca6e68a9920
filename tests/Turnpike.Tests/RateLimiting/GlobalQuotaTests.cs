using Microsoft.Extensions.Time.Testing;
using Turnpike.RateLimiting;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.RateLimiting;

/// <summary>
/// <c>policy: global</c>'s accounting on fake clocks: regions' pools (<see cref="RegionalQuotaPool"/>) leasing from a home
/// counter (<see cref="WindowGrants"/> on the home's clock, as the global counter grain runs it), every clock its own.
/// </summary>
[Fast]
public sealed class GlobalQuotaTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 1, 12, 0, 10, TimeSpan.Zero);
    private static readonly RateLimitCounterOptions Options = new();

    /// <summary>The home's global counter: the grain's grant, its clock and its stored counts.</summary>
    private sealed class Home(FakeTimeProvider clock, int regions)
    {
        private Dictionary<RateLimitWindow, WindowCount> _counts = [];

        public int Calls { get; private set; }

        public QuotaGrant Lease(GlobalQuotaRequest request)
        {
            Calls++;
            var result = WindowGrants.Grant(_counts, request.Limits, request.Wanted, request.Returns, clock.GetUtcNow().ToUnixTimeMilliseconds(), Options.RegionMaxLeaseDuration, 1.0 / regions);
            _counts = result.Counts;
            return result.Grant;
        }
    }

    /// <summary>
    /// One region: its own clock, set apart from the home's by <paramref name="skew"/>, and its pool; edges take permits one
    /// request at a time, as the grain hands them out, and the home answers at once.
    /// </summary>
    private sealed class SimulatedRegion(WindowLimit[] limits, TimeSpan skew, int regions)
    {
        public FakeTimeProvider Clock { get; } = new(Noon + skew);

        public RegionalQuotaPool Pool => _pool ??= new RegionalQuotaPool(limits, Options, regions, Clock);

        private RegionalQuotaPool? _pool;

        public long Now => Clock.GetTimestamp();

        public long Admitted { get; private set; }

        public bool TryAdmit(Home home, bool faultTolerant = true, bool homeReachable = true)
        {
            var admitted = Decide(home, faultTolerant, homeReachable);
            Admitted += admitted ? 1 : 0;
            return admitted;
        }

        private bool Decide(Home home, bool faultTolerant, bool homeReachable)
        {
            var now = Now;
            for (var pass = 0; pass < 3; pass++)
            {
                if (Pool.TryGrant(1, now, out var grant))
                {
                    if (Pool.LowOnPermits && Pool.MayAskHome(now) && homeReachable)
                    {
                        Call(home, 1, now);
                    }

                    return grant.Granted > 0;
                }

                if (Pool.IsExhausted(now, out _))
                {
                    return false;
                }

                if (!homeReachable && !Pool.CutOff)
                {
                    Pool.HomeFailed(now);
                }

                if (Pool.CutOff)
                {
                    return Pool.Fallback(1, faultTolerant, now).Granted > 0;
                }

                Call(home, 1, now);
            }

            return false;
        }

        private void Call(Home home, long wanted, long now) =>
            Pool.ApplyHome(home.Lease(Pool.NextHomeRequest("k", "r", wanted, now)), now, now);
    }

    [Fact]
    public void Three_regions_with_skewed_clocks_never_admit_more_than_the_limit_in_a_period_of_the_homes_clock_and_strand_little()
    {
        WindowLimit[] limits = [new(RateLimitWindow.Minute, 100)];
        var homeClock = new FakeTimeProvider(Noon);
        var home = new Home(homeClock, 3);
        var regions = new[] { TimeSpan.FromSeconds(-40), TimeSpan.FromSeconds(25), TimeSpan.FromHours(3) }
            .Select(skew => new SimulatedRegion(limits, skew, 3)).ToArray();
        var admittedPerPeriod = new Dictionary<long, long>();

        // Three minutes of 10 ms steps; each region asks 1–3 permits a step (100–300 a second: far over the limit).
        for (var step = 0; step < 18_000; step++)
        {
            for (var r = 0; r < regions.Length; r++)
            {
                for (var i = 0; i < 1 + ((step + r) % 3); i++)
                {
                    if (regions[r].TryAdmit(home))
                    {
                        var period = RateLimitPeriods.Start(RateLimitWindow.Minute, homeClock.GetUtcNow().ToUnixTimeSeconds());
                        admittedPerPeriod[period] = admittedPerPeriod.GetValueOrDefault(period) + 1;
                    }
                }
            }

            homeClock.Advance(TimeSpan.FromMilliseconds(10));
            foreach (var region in regions)
            {
                region.Clock.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        var stranded = regions.Sum(r => r.Pool.Stranded);
        output.WriteLine($"admitted per home minute: {string.Join(", ", admittedPerPeriod.OrderBy(p => p.Key).Select(p => p.Value))}; home calls {home.Calls}; stranded {stranded}");
        Assert.All(admittedPerPeriod.Values, admitted => Assert.True(admitted <= 100, $"{admitted} admitted in one minute"));
        // Demand far over the limit: each whole minute (the first starts 10 s in) uses the limit in full.
        Assert.Equal([100, 100], admittedPerPeriod.OrderBy(p => p.Key).Skip(1).Take(2).Select(p => p.Value));
        Assert.All(regions, r => Assert.True(r.Admitted > 0));
    }

    [Fact]
    public void A_busy_region_leases_about_two_seconds_of_its_rate_so_the_home_hears_from_it_about_once_a_second()
    {
        WindowLimit[] limits = [new(RateLimitWindow.Hour, 10_000_000)];
        var homeClock = new FakeTimeProvider(Noon);
        var home = new Home(homeClock, 3);
        var region = new SimulatedRegion(limits, TimeSpan.Zero, 3);

        // 20 seconds at 2,000 requests a second (20 every 10 ms).
        for (var step = 0; step < 2_000; step++)
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.True(region.TryAdmit(home));
            }

            homeClock.Advance(TimeSpan.FromMilliseconds(10));
            region.Clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        output.WriteLine($"{home.Calls} home calls for {region.Admitted} admitted in 20 s: {home.Calls / 20.0:0.00} a second, {(double)home.Calls / region.Admitted:0.00000} per request");
        Assert.True(home.Calls <= 2 * 20, $"{home.Calls} home calls in 20 s");
        Assert.True((double)home.Calls / region.Admitted < 0.001);
    }

    [Fact]
    public void A_region_cut_off_from_home_spends_what_it_holds_then_admits_its_share_of_each_limit_per_period_or_answers_unavailable()
    {
        WindowLimit[] limits = [new(RateLimitWindow.Minute, 90)];
        var homeClock = new FakeTimeProvider(Noon);
        var home = new Home(homeClock, 3);
        var region = new SimulatedRegion(limits, TimeSpan.Zero, 3);
        var strict = new SimulatedRegion(limits, TimeSpan.Zero, 3);
        Assert.True(region.TryAdmit(home));
        Assert.True(strict.TryAdmit(home, faultTolerant: false));
        var held = region.Pool.Permits;
        Assert.True(held > 0);

        // Cut off: what the region holds first, then a third of 90 from its own count, then nothing this minute.
        var admitted = Enumerable.Range(0, 200).Count(_ => region.TryAdmit(home, homeReachable: false));
        Assert.Equal(held + 30, admitted);
        // Without fault_tolerant: what it holds, then unavailable.
        var strictHeld = strict.Pool.Permits;
        Assert.Equal(strictHeld, Enumerable.Range(0, 50).Count(_ => strict.TryAdmit(home, faultTolerant: false, homeReachable: false)));
        Assert.True(strict.Pool.Fallback(1, faultTolerant: false, strict.Now).Unavailable);

        // The next minute of the region's clock: its share again.
        region.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(30, Enumerable.Range(0, 200).Count(_ => region.TryAdmit(home, homeReachable: false)));
    }

    [Fact]
    public void Permits_an_edge_hands_back_from_a_partition_lease_go_to_the_regions_own_count_never_to_the_home()
    {
        WindowLimit[] limits = [new(RateLimitWindow.Minute, 90)];
        var homeClock = new FakeTimeProvider(Noon);
        var region = new SimulatedRegion(limits, TimeSpan.Zero, 3);
        region.Pool.HomeFailed(region.Now);
        var lease = region.Pool.Fallback(20, faultTolerant: true, region.Now);
        Assert.Equal(20, lease.Granted);

        region.Pool.TakeBack(15, lease.Periods); // the edge spent five
        var request = region.Pool.NextHomeRequest("k", "r", 1, region.Now);

        Assert.Empty(request.Returns);
        Assert.Equal(25, region.Pool.Fallback(100, faultTolerant: true, region.Now).Granted); // 30 − 5
    }

    [Fact]
    public void Permits_held_when_the_homes_period_ends_are_counted_as_stranded_and_near_its_end_a_region_asks_only_for_what_it_will_spend()
    {
        WindowLimit[] limits = [new(RateLimitWindow.Minute, 100_000)];
        var homeClock = new FakeTimeProvider(Noon.AddSeconds(45)); // 12:00:55: five seconds left in the minute
        var home = new Home(homeClock, 1);
        var region = new SimulatedRegion(limits, TimeSpan.Zero, 1);

        // 100 a second for four seconds.
        for (var step = 0; step < 400; step++)
        {
            region.TryAdmit(home);
            homeClock.Advance(TimeSpan.FromMilliseconds(10));
            region.Clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        var before = region.Pool.Permits;
        output.WriteLine($"held with one second left: {before}");
        Assert.True(before <= 2 * 100, $"{before} held one second before the period ends at 100 a second");

        homeClock.Advance(TimeSpan.FromSeconds(2));
        region.Clock.Advance(TimeSpan.FromSeconds(2));
        region.Pool.NextHomeRequest("k", "r", 1, region.Now); // the expired lease goes back
        Assert.Equal(before, region.Pool.Stranded);
    }
}
