namespace Turnpike.Metering;

/// <summary>
/// What is metered for one consumer, service and route in one hour. Fixed counters cover every request;
/// <see cref="Named"/> is the open set (AI tokens, for one) a plugin adds to.
/// </summary>
[GenerateSerializer]
public sealed class MeterCounters
{
    [Id(0)] public long Requests { get; set; }

    /// <summary>Requests the gateway answered itself (auth, rate limits, …) without reaching the upstream.</summary>
    [Id(1)] public long Rejected { get; set; }

    /// <summary>Responses by status class: index 0 for 1xx … 4 for 5xx.</summary>
    [Id(2)] public long[] StatusClasses { get; set; } = new long[5];

    [Id(3)] public long BytesIn { get; set; }

    [Id(4)] public long BytesOut { get; set; }

    [Id(5)] public long UpstreamLatencyMsSum { get; set; }

    [Id(6)] public Dictionary<string, long> Named { get; set; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Requests == 0 && BytesIn == 0 && BytesOut == 0 && Named.Count == 0;

    public void Add(MeterCounters other)
    {
        Requests += other.Requests;
        Rejected += other.Rejected;
        for (var i = 0; i < StatusClasses.Length; i++)
        {
            StatusClasses[i] += other.StatusClasses[i];
        }

        BytesIn += other.BytesIn;
        BytesOut += other.BytesOut;
        UpstreamLatencyMsSum += other.UpstreamLatencyMsSum;
        foreach (var (name, value) in other.Named)
        {
            Named[name] = Named.GetValueOrDefault(name) + value;
        }
    }

    public MeterCounters Copy()
    {
        var copy = new MeterCounters();
        copy.Add(this);
        return copy;
    }
}
