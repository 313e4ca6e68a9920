namespace Turnpike.RouteTable;

/// <summary>Options of the route table grain (section <c>Turnpike:RouteTable</c>).</summary>
public sealed class RouteTableOptions
{
    public const string Section = "Turnpike:RouteTable";

    /// <summary>How many entity changes the grain keeps for edges to catch up by delta.</summary>
    public int ChangeLogCapacity { get; set; } = 10_000;

    /// <summary>An edge that has not renewed its subscription for this long is no longer notified or listed.</summary>
    public TimeSpan EdgeExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads of the stored table an activation makes before it gives up. Calls queue behind an activation: one that
    /// fails on a single timed-out read rejects every edge's queued call, and all of them retry at once.
    /// </summary>
    public int LoadAttempts { get; set; } = 5;

    /// <summary>The wait after the first failed read; doubled (jittered) after each further one, at most 2 s.</summary>
    public TimeSpan LoadRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
