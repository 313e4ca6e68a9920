namespace Turnpike.RateLimiting;

/// <summary>Options of the rate-limit counter grains (section <c>Turnpike:RateLimiting</c>).</summary>
public sealed class RateLimitCounterOptions
{
    public const string Section = "Turnpike:RateLimiting";

    /// <summary>
    /// The longest a lease may be spent, even in a long window: permits an edge does not spend within it come
    /// back to the counter, so a burst on one edge does not strand a minute's quota there.
    /// </summary>
    public TimeSpan MaxLeaseDuration { get; set; } = TimeSpan.FromSeconds(1);
}
