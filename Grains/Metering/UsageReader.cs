namespace Turnpike.Metering;

/// <summary>
/// Reads the meter grains for a range and adds them up per period, consumer and service (routes merged).
/// Yields one period at a time, so what it holds is one period's rows: an export streams in bounded memory.
/// </summary>
public sealed class UsageReader(IGrainFactory grains)
{
    public async IAsyncEnumerable<UsagePeriod> ReadAsync(long from, long to, BillingGranularity granularity, Guid? consumerId, Guid? serviceId)
    {
        var hours = await grains.GetGrain<IMeterIndexGrain>(IMeterIndexGrain.DefaultKey).Hours(MeterGrainKeys.HourOf(from), to);
        var shards = consumerId is { } only ? [MeterGrainKeys.ShardOf(only)] : Enumerable.Range(0, MeterGrainKeys.Shards).ToArray();
        foreach (var period in hours.GroupBy(h => PeriodStart(h, granularity)))
        {
            var sums = new Dictionary<(Guid Consumer, Guid Service), MeterCounters>();
            foreach (var hour in period)
            {
                var parts = await Task.WhenAll(shards.Select(shard => grains.GetGrain<IMeterGrain>(MeterGrainKeys.Key(hour, shard)).Entries(consumerId, serviceId)));
                foreach (var entry in parts.SelectMany(p => p))
                {
                    var key = (entry.ConsumerId, entry.ServiceId);
                    if (sums.TryGetValue(key, out var sum))
                    {
                        sum.Add(entry.Counters);
                    }
                    else
                    {
                        sums[key] = entry.Counters;
                    }
                }
            }

            var end = PeriodEnd(period.Key, granularity);
            yield return new UsagePeriod(period.Key, [.. sums.OrderBy(s => s.Key.Consumer).ThenBy(s => s.Key.Service).Select(s => new UsageRow(period.Key, end, s.Key.Consumer, s.Key.Service, s.Value))]);
        }
    }

    public static long PeriodStart(long hour, BillingGranularity granularity)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(hour);
        return granularity switch
        {
            BillingGranularity.Day => hour - (hour % 86400),
            BillingGranularity.Month => new DateTimeOffset(time.Year, time.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(),
            _ => hour,
        };
    }

    public static long PeriodEnd(long start, BillingGranularity granularity) => granularity switch
    {
        BillingGranularity.Day => start + 86400,
        BillingGranularity.Month => DateTimeOffset.FromUnixTimeSeconds(start).AddMonths(1).ToUnixTimeSeconds(),
        _ => start + 3600,
    };
}
