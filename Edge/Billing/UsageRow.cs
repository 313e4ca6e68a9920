using Turnpike.Metering;

namespace Turnpike.Edge.Billing;

/// <summary>One consumer's use of one service in one period, with every counter.</summary>
internal sealed record UsageRow(long PeriodStart, long PeriodEnd, Guid ConsumerId, Guid ServiceId, MeterCounters Counters);
