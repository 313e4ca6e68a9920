using System.Runtime.CompilerServices;

namespace Turnpike.Edge.RateLimiting;

internal enum QuotaOutcome
{
    Admitted,
    Rejected,

    /// <summary>The cluster's counter could not be reached and no leased permit was left.</summary>
    Unavailable,
}

/// <summary>
/// The answer for one request, with what Kong's headers report per limit (in configuration order). A value
/// type with inline storage: deciding a request allocates nothing.
/// </summary>
internal struct QuotaDecision
{
    public static readonly QuotaDecision Unavailable = new(QuotaOutcome.Unavailable, 0);

    public QuotaDecision(QuotaOutcome outcome, int limits)
    {
        Outcome = outcome;
        Count = limits;
    }

    public QuotaOutcome Outcome { get; }

    /// <summary>How many limits the decision reports on (at most one per window).</summary>
    public int Count { get; }

    /// <summary>Per limit: permits left as a client sees them.</summary>
    public WindowValues Remaining;

    /// <summary>Per limit: seconds until that window's period ends.</summary>
    public WindowValues ResetSeconds;

    /// <summary>The counter's periods the permits came from (cluster policy), to settle a cost against later.</summary>
    public long[]? Periods { get; init; }
}

/// <summary>One value per rate-limit window, stored inline (there are six windows).</summary>
[InlineArray(6)]
internal struct WindowValues
{
    private long _first;
}
