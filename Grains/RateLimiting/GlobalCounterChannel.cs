using Microsoft.Extensions.Options;
using Turnpike.Regions;

namespace Turnpike.RateLimiting;

/// <summary>
/// How a region's <c>policy: global</c> counter reaches the global counter: a grain call when this region is the home
/// (always, with a single region: the one region is the whole world, so <c>global</c> is then <c>cluster</c> with one more
/// hop now and then), the cross-region link to the home otherwise. The home is the route table's (it follows a move of
/// the home), read at most once a second.
/// </summary>
public sealed class GlobalCounterChannel(IGrainFactory grains, IOptions<RegionOptions> regions, TimeProvider time, RegionLink? link = null)
{
    private readonly RegionOptions _regions = regions.Value;
    private HomeState? _home;
    private long _homeReadAt;

    /// <summary>This region's name.</summary>
    public string Region => _regions.Name;

    /// <summary>How many regions there are (this one and its peers).</summary>
    public int RegionCount => _regions.Peers.Count + 1;

    public async Task<QuotaGrant> LeaseAsync(GlobalQuotaRequest request, CancellationToken cancellationToken)
    {
        if (!_regions.Enabled)
        {
            return await grains.GetGrain<IGlobalRateLimitCounterGrain>(request.Key).Lease(request);
        }

        var home = await HomeAsync();
        if (home.Home == _regions.Name)
        {
            return await grains.GetGrain<IGlobalRateLimitCounterGrain>(request.Key).Lease(request);
        }

        if (link is null)
        {
            throw new RegionUnreachableException(home.Home, "this process has no cross-region link");
        }

        return await link.LeaseAsync(home, request, cancellationToken);
    }

    private async Task<HomeState> HomeAsync()
    {
        var now = time.GetTimestamp();
        if (_home is { } known && time.GetElapsedTime(_homeReadAt, now) < TimeSpan.FromSeconds(1))
        {
            return known;
        }

        var home = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).GetHome();
        (_home, _homeReadAt) = (home, now);
        return home;
    }
}
