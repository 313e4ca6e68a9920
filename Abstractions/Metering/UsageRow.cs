namespace Turnpike.Metering;

/// <summary>One consumer's use of one service in one period, with every counter; <see cref="Region"/> when a report is asked by region.</summary>
[GenerateSerializer]
public sealed record UsageRow(
    [property: Id(0)] long PeriodStart,
    [property: Id(1)] long PeriodEnd,
    [property: Id(2)] Guid ConsumerId,
    [property: Id(3)] Guid ServiceId,
    [property: Id(4)] MeterCounters Counters)
{
    [Id(5)] public string? Region { get; init; }
}

/// <summary>A period of a usage report: its rows, ordered by consumer then service. A region sends these over the link one at a time.</summary>
[GenerateSerializer]
public sealed record UsagePeriod([property: Id(0)] long Start, [property: Id(1)] UsageRow[] Rows);

/// <summary>The period length of a usage report.</summary>
public enum BillingGranularity
{
    Hour,
    Day,
    Month,
}
