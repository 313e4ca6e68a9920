namespace Turnpike.Metering;

/// <summary>
/// Meters are kept per hour and split by consumer into <see cref="Shards"/> grains, so a grain's state stays a
/// fraction of an hour's rows and an export reads them a grain at a time. Every edge and reader must agree, so
/// the shard count is fixed here, not configured.
/// </summary>
public static class MeterGrainKeys
{
    public const int Shards = 16;

    public static long HourOf(long unixSeconds) => unixSeconds - (unixSeconds % 3600);

    public static int ShardOf(Guid consumerId)
    {
        Span<byte> bytes = stackalloc byte[16];
        consumerId.TryWriteBytes(bytes);
        return (bytes[0] ^ bytes[7] ^ bytes[15]) % Shards;
    }

    public static string Key(long hour, int shard) => $"{hour}/{shard:D2}";
}
