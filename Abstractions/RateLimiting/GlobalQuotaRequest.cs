namespace Turnpike.RateLimiting;

/// <summary>
/// A region's counter asking the home region's global counter for permits (<c>policy: global</c>), and handing back what
/// its region did not spend. <see cref="Lessee"/> and <see cref="Sequence"/> name the request: the global counter answers
/// a request it already answered with the same grant and ignores an older one, so a retry or a replay on the link never
/// grants or credits twice. Nothing in it is a time: the periods are the home's, the lease's life a duration.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GlobalQuotaRequest
{
    /// <summary>The counter key (<c>{instance}/{limit_by}:{identity}</c>), the same in every region.</summary>
    [Id(0)] public string Key { get; init; } = "";

    /// <summary>The asking region; on the link, the one whose signature the request carries.</summary>
    [Id(1)] public string Region { get; init; } = "";

    /// <summary>The asking activation of the region's counter: a new one starts its own sequence.</summary>
    [Id(2)] public Guid Lessee { get; init; }

    /// <summary>One more for each request of <see cref="Lessee"/>.</summary>
    [Id(3)] public long Sequence { get; init; }

    [Id(4)] public WindowLimit[] Limits { get; init; } = [];

    /// <summary>How many permits the region would like; 0 to only hand permits back.</summary>
    [Id(5)] public long Wanted { get; init; }

    /// <summary>Permits given back (negative: a charge for costs settled beyond what was leased), each with the periods it was granted in.</summary>
    [Id(6)] public QuotaReturn[] Returns { get; init; } = [];
}

/// <summary>Permits handed back to a counter, credited only to windows still in the period they were granted in.</summary>
[GenerateSerializer, Immutable]
public readonly record struct QuotaReturn([property: Id(0)] long Permits, [property: Id(1)] long[] Periods);
