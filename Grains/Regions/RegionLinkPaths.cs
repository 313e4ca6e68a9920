namespace Turnpike.Regions;

/// <summary>The link's endpoints, served by every silo of a multi-region deployment on its link listener.</summary>
public static class RegionLinkPaths
{
    public const string Prefix = "/link/v1";

    /// <summary>
    /// POST <c>?epoch=&amp;home=</c> (the home as the sender knows it): a <see cref="RouteTableWrite"/> for the home region's route
    /// table; answers its <see cref="RouteTableWriteResult"/>.
    /// </summary>
    public const string Write = Prefix + "/route-table/write";

    /// <summary>
    /// GET <c>?since=version&amp;wait=milliseconds&amp;epoch=&amp;home=&amp;table=</c> (<c>table</c>: the epoch the asker's table holds): the <see cref="RouteTableDelta"/> since a version (stamped with the
    /// answering region's epoch), held until there is one or the wait ends.
    /// </summary>
    public const string Changes = Prefix + "/route-table/changes";

    /// <summary>GET: the <see cref="HomeState"/> this region holds; regions ask each other every few seconds, so a move of the home reaches all.</summary>
    public const string Home = Prefix + "/home";

    /// <summary>
    /// GET <c>?from=&amp;to=&amp;granularity=&amp;consumer=&amp;service=</c> (unix seconds, <c>hour|day|month</c>, ids): the region's own
    /// usage, streamed as <see cref="UsageFrames"/>, one period at a time.
    /// </summary>
    public const string Usage = Prefix + "/billing/usage";

    /// <summary>
    /// POST <c>?epoch=&amp;home=</c>: a <see cref="Turnpike.RateLimiting.GlobalQuotaRequest"/> for the home region's global counter of
    /// a <c>policy: global</c> limit, leased to the signing region (the region named in the body is ignored); answers the
    /// <see cref="Turnpike.RateLimiting.QuotaGrant"/>. A region that is not the home answers 503.
    /// </summary>
    public const string RateLimitLease = Prefix + "/ratelimit/lease";

    /// <summary>The longest a changes request is held open by the home region.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);
}
