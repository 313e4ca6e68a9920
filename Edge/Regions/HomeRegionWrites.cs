using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.RouteTable;
using Turnpike.Regions;

namespace Turnpike.Edge.Regions;

/// <summary>
/// Admin writes in a region that is not the home: sent over the link to the home region's route table, which commits
/// them (the answer's version is the global version); then this edge waits, within
/// <see cref="RegionOptions.ReadYourWritesTimeout"/>, until it serves that version itself, which means its own region's
/// route table (where this edge's admin reads go) has applied it too, so a client reading back sees its write.
/// </summary>
internal sealed partial class HomeRegionWrites(
    IOptions<RegionOptions> options,
    RegionLink link,
    RouteTableStore store,
    TimeProvider time,
    ILogger<HomeRegionWrites> logger)
{
    private readonly RegionOptions _options = options.Value;

    /// <summary>True when there are several regions: the home is then what this region's route table names.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>This edge's region.</summary>
    public string Region => _options.Name;

    public async Task<RouteTableWriteResult> WriteAsync(HomeState state, RouteTableWrite write)
    {
        var home = state.Home;
        RouteTableWriteResult result;
        try
        {
            result = await link.WriteAsync(state, write);
        }
        catch (RegionUnreachableException ex)
        {
            LogHomeUnreachable(logger, home, ex.Reason);
            throw new HomeRegionUnreachableException(home, ex.Reason);
        }

        if (result.Succeeded && !await store.WaitForVersionAsync(result.Version, _options.ReadYourWritesTimeout, time))
        {
            LogNotYetApplied(logger, result.Version, store.Current.Version, _options.ReadYourWritesTimeout.TotalSeconds);
        }

        return result;
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Admin write refused: home region {Home} is unreachable ({Reason})")]
    private static partial void LogHomeUnreachable(ILogger logger, string home, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Home committed version {Version} but this edge still serves {Serving} after {Seconds} s; answered anyway")]
    private static partial void LogNotYetApplied(ILogger logger, long version, long serving, double seconds);
}
