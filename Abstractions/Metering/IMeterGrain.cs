namespace Turnpike.Metering;

/// <summary>One hour's meters for one shard of consumers (<see cref="MeterGrainKeys"/>), stored before any batch is acknowledged.</summary>
public interface IMeterGrain : IGrainWithStringKey
{
    /// <summary>Adds a batch unless this edge instance's sequence was applied already; either way the batch is acknowledged.</summary>
    Task Apply(MeterBatch batch);

    /// <summary>The hour's rows, optionally only one consumer's and one service's.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<MeterEntry[]> Entries(Guid? consumerId, Guid? serviceId);
}
