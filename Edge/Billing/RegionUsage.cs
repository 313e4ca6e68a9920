using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Metering;
using Turnpike.Regions;

namespace Turnpike.Edge.Billing;

/// <summary>
/// A usage report over every region: this region's meter grains read here, each other region's streamed over the link
/// (its own meters only, so nothing is counted twice), merged period by period. Every region is opened before anything is
/// written, so one that cannot be reached is known up front: the report is refused naming it, or with
/// <c>partial=true</c> made of the regions that answered, naming the missing ones.
/// </summary>
internal sealed class RegionUsage(UsageReader reader, IOptions<RegionOptions> options, IServiceProvider services)
{
    private readonly RegionOptions _options = options.Value;

    public async Task<UsageReport> OpenAsync(BillingQuery query, Guid? consumerId, Guid? serviceId, CancellationToken cancellationToken)
    {
        var peers = _options.Peers.Keys.Order(StringComparer.Ordinal).ToArray();
        var link = peers.Length > 0 ? services.GetRequiredService<RegionLink>() : null;
        var opened = await Task.WhenAll(peers.Select(async peer =>
        {
            try
            {
                return (peer, await link!.OpenUsageAsync(peer, query.From, query.To, query.Granularity, consumerId, serviceId, cancellationToken), (string?)null);
            }
            catch (RegionUnreachableException ex)
            {
                return (peer, (RegionUsageStream?)null, ex.Reason);
            }
        }));
        var sources = new List<(string Region, IAsyncEnumerable<UsagePeriod> Periods)>
        {
            (_options.Name, reader.ReadAsync(query.From, query.To, query.Granularity, consumerId, serviceId)),
        };
        sources.AddRange(opened.Where(o => o.Item2 is not null).Select(o => (o.peer, o.Item2!.ReadAsync())));
        return new UsageReport(
            sources,
            [.. opened.Select(o => o.Item2).OfType<RegionUsageStream>()],
            [.. opened.Where(o => o.Item3 is not null).Select(o => new MissingRegion(o.peer, o.Item3!))]);
    }
}

/// <summary>A region a report could not include, and why.</summary>
internal sealed record MissingRegion(string Region, string Reason);

/// <summary>The regions of one report, opened; read the merged periods once, then dispose.</summary>
internal sealed class UsageReport(
    List<(string Region, IAsyncEnumerable<UsagePeriod> Periods)> sources,
    RegionUsageStream[] streams,
    MissingRegion[] missing) : IAsyncDisposable
{
    /// <summary>The regions whose usage the report holds, in name order.</summary>
    public string[] Regions { get; } = [.. sources.Select(s => s.Region).Order(StringComparer.Ordinal)];

    public MissingRegion[] Missing { get; } = missing;

    /// <summary>
    /// The periods in ascending order, each with its rows by consumer and service: summed over the regions, or with
    /// <paramref name="byRegion"/> one row per region, carrying its name. A region whose stream breaks throws
    /// <see cref="RegionUnreachableException"/>.
    /// </summary>
    public async IAsyncEnumerable<List<UsageRow>> ReadAsync(bool byRegion)
    {
        var cursors = sources.Select(s => (s.Region, Periods: s.Periods.GetAsyncEnumerator())).ToArray();
        try
        {
            var live = await Task.WhenAll(cursors.Select(c => c.Periods.MoveNextAsync().AsTask()));
            while (live.Any(l => l))
            {
                var start = cursors.Where((_, i) => live[i]).Min(c => c.Periods.Current.Start);
                var due = Enumerable.Range(0, cursors.Length).Where(i => live[i] && cursors[i].Periods.Current.Start == start).ToArray();
                var rows = due.SelectMany(i => cursors[i].Periods.Current.Rows.Select(r => r with { Region = cursors[i].Region }));
                yield return byRegion
                    ? [.. rows.OrderBy(r => r.ConsumerId).ThenBy(r => r.ServiceId).ThenBy(r => r.Region, StringComparer.Ordinal)]
                    : Sum(rows);
                var moved = await Task.WhenAll(due.Select(i => cursors[i].Periods.MoveNextAsync().AsTask()));
                for (var j = 0; j < due.Length; j++)
                {
                    live[due[j]] = moved[j];
                }
            }
        }
        finally
        {
            foreach (var cursor in cursors)
            {
                await cursor.Periods.DisposeAsync();
            }
        }
    }

    private static List<UsageRow> Sum(IEnumerable<UsageRow> rows)
    {
        var sums = new Dictionary<(Guid Consumer, Guid Service), UsageRow>();
        foreach (var row in rows)
        {
            var key = (row.ConsumerId, row.ServiceId);
            if (sums.TryGetValue(key, out var sum))
            {
                sum.Counters.Add(row.Counters);
            }
            else
            {
                // A copy: the sum must not write into a region's row.
                sums[key] = row with { Counters = row.Counters.Copy(), Region = null };
            }
        }

        return [.. sums.Values.OrderBy(r => r.ConsumerId).ThenBy(r => r.ServiceId)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }
}
