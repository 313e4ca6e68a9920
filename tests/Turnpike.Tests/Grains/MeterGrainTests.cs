using Turnpike.Metering;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>The meter grain on Orleans.TestingHost: batches applied at most once, and listed in the hour index.</summary>
[Collection(RouteTableClusterCollection.Name)]
public sealed class MeterGrainTests(RouteTableClusterFixture fixture)
{
    private static MeterBatch Batch(string edge, long sequence, Guid consumer, long requests, long hour) => new()
    {
        EdgeInstance = edge,
        Sequence = sequence,
        Entries = [new MeterEntry { ConsumerId = consumer, ServiceId = Guid.Empty, RouteId = Guid.Empty, Hour = hour, Counters = new MeterCounters { Requests = requests } }],
    };

    [Fact]
    public async Task A_batch_delivered_twice_because_its_acknowledgement_was_lost_counts_once()
    {
        var hour = MeterGrainKeys.HourOf(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - (3600 * 24 * Random.Shared.Next(1000, 100_000));
        var consumer = Guid.NewGuid();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IMeterGrain>(MeterGrainKeys.Key(hour, MeterGrainKeys.ShardOf(consumer)));

        await grain.Apply(Batch("edge-1", 1, consumer, 5, hour));
        await grain.Apply(Batch("edge-1", 1, consumer, 5, hour)); // the edge never heard the first acknowledgement
        await grain.Apply(Batch("edge-2", 1, consumer, 7, hour)); // another edge's sequence 1 is its own
        await grain.Apply(Batch("edge-1", 2, consumer, 1, hour));

        var rows = await grain.Entries(consumer, null);
        Assert.Equal(13, Assert.Single(rows).Counters.Requests);
        Assert.Contains(hour, await fixture.Cluster.GrainFactory.GetGrain<IMeterIndexGrain>(IMeterIndexGrain.DefaultKey).Hours(hour, hour + 3600));
    }
}
