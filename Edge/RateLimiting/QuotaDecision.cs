namespace Turnpike.Edge.RateLimiting;

internal enum QuotaOutcome
{
    Admitted,
    Rejected,

    /// <summary>The cluster's counter could not be reached and no leased permit was left.</summary>
    Unavailable,
}

/// <summary>The answer for one request, with what Kong's headers report per limit (in configuration order).</summary>
internal readonly record struct QuotaDecision(QuotaOutcome Outcome, long[] Remaining, long[] ResetSeconds)
{
    public static readonly QuotaDecision Unavailable = new(QuotaOutcome.Unavailable, [], []);
}
