namespace Turnpike.Metering;

/// <summary>The hours that have meters, so a report reads only the meter grains that hold something.</summary>
public interface IMeterIndexGrain : IGrainWithStringKey
{
    public const string DefaultKey = "default";

    Task Add(long hour);

    /// <summary>Hours with meters, from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in order.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<long[]> Hours(long from, long to);
}
