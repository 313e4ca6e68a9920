namespace Turnpike.Regions;

/// <summary>A peer region did not answer over the link (partitioned, down) or refused it (another secret): the message says which and why.</summary>
public sealed class RegionUnreachableException(string region, string reason)
    : Exception($"region '{region}' is unreachable: {reason}")
{
    public string Region { get; } = region;

    public string Reason { get; } = reason;
}
