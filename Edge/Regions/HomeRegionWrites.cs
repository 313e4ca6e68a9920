using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Regions;

namespace Turnpike.Edge.Regions;

/// <summary>
/// Admin writes in a region that is not the home: sent over the link to the home region's route table, which commits
/// them (the answer's version is the global version). As for any write, <see cref="Admin.RouteTableClient"/> then
/// waits until this edge serves that version, which means its own region's route table (where this edge's admin reads
/// go) has applied it too.
/// </summary>
internal sealed partial class HomeRegionWrites(
    IOptions<RegionOptions> options,
    RegionLink link,
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
        try
        {
            return await link.WriteAsync(state, write);
        }
        catch (RegionUnreachableException ex)
        {
            LogHomeUnreachable(logger, home, ex.Reason);
            throw new HomeRegionUnreachableException(home, ex.Reason);
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Admin write refused: home region {Home} is unreachable ({Reason})")]
    private static partial void LogHomeUnreachable(ILogger logger, string home, string reason);
}
