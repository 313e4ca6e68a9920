using Turnpike.Edge.Billing;
using Turnpike.Metering;
using Xunit;

namespace Turnpike.Tests.Billing;

/// <summary>How a report merges regions' usage: period by period, summed or by region, nothing counted twice or dropped.</summary>
[Fast]
public sealed class UsageReportMergeTests
{
    private static readonly Guid Alice = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Bob = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Api = Guid.Parse("00000000-0000-0000-0000-000000000001");

    private static UsageRow Row(long hour, Guid consumer, long requests) =>
        new(hour, hour + 3600, consumer, Api, new MeterCounters { Requests = requests, StatusClasses = [0, requests, 0, 0, 0] });

    private static async IAsyncEnumerable<UsagePeriod> Periods(params UsagePeriod[] periods)
    {
        foreach (var period in periods)
        {
            await Task.Yield();
            yield return period;
        }
    }

    private static UsageReport Report(params (string Region, UsagePeriod[] Periods)[] regions) =>
        new([.. regions.Select(r => (r.Region, Periods(r.Periods)))], [], []);

    private static async Task<List<List<UsageRow>>> ReadAsync(UsageReport report, bool byRegion)
    {
        var periods = new List<List<UsageRow>>();
        await foreach (var rows in report.ReadAsync(byRegion))
        {
            periods.Add(rows);
        }

        return periods;
    }

    [Fact]
    public async Task Regions_are_summed_per_period_consumer_and_service_and_periods_only_one_region_has_are_kept()
    {
        await using var report = Report(
            ("us", [new UsagePeriod(0, [Row(0, Alice, 3), Row(0, Bob, 1)]), new UsagePeriod(7200, [Row(7200, Alice, 5)])]),
            ("eu", [new UsagePeriod(0, [Row(0, Alice, 4)]), new UsagePeriod(3600, [Row(3600, Bob, 2)])]));

        var periods = await ReadAsync(report, byRegion: false);

        Assert.Equal([0L, 3600, 7200], periods.Select(p => p[0].PeriodStart));
        Assert.Equal([(Alice, 7L), (Bob, 1L)], periods[0].Select(r => (r.ConsumerId, r.Counters.Requests)));
        Assert.Equal(7, periods[0][0].Counters.StatusClasses[1]);
        Assert.All(periods.SelectMany(p => p), r => Assert.Null(r.Region));
        Assert.Equal(15, periods.SelectMany(p => p).Sum(r => r.Counters.Requests));
    }

    [Fact]
    public async Task By_region_keeps_a_row_per_region_with_its_name_and_leaves_the_regions_rows_unchanged()
    {
        var usAlice = Row(0, Alice, 3);
        await using var report = Report(("us", [new UsagePeriod(0, [usAlice])]), ("eu", [new UsagePeriod(0, [Row(0, Alice, 4)])]));

        var periods = await ReadAsync(report, byRegion: true);

        Assert.Equal([("eu", 4L), ("us", 3L)], Assert.Single(periods).Select(r => (r.Region!, r.Counters.Requests)));
        Assert.Equal(3, usAlice.Counters.Requests);
    }

    [Fact]
    public async Task A_summed_report_does_not_write_into_the_first_regions_counters()
    {
        var usAlice = Row(0, Alice, 3);
        await using var report = Report(("us", [new UsagePeriod(0, [usAlice])]), ("eu", [new UsagePeriod(0, [Row(0, Alice, 4)])]), ("ap", []));

        var periods = await ReadAsync(report, byRegion: false);

        Assert.Equal(7, Assert.Single(Assert.Single(periods)).Counters.Requests);
        Assert.Equal(3, usAlice.Counters.Requests);
        Assert.Equal(["ap", "eu", "us"], report.Regions);
    }
}
