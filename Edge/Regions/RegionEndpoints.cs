using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin;
using Turnpike.Regions;

namespace Turnpike.Edge.Regions;

/// <summary>
/// <c>GET /regions</c>: the home and epoch, and every region's own view of them with the version its table holds (what
/// an operator compares before moving the home). <c>POST /regions/home</c> <c>{"region": "eu"}</c> through an edge of
/// region eu: makes eu the home under the next epoch (the procedure is in docs/operations.md).
/// </summary>
internal sealed partial class RegionEndpoints(RouteTableClient table, RegionLink link, IOptions<RegionOptions> options, ILogger<RegionEndpoints> logger)
{
    private readonly RegionOptions _options = options.Value;

    public async Task ListAsync(HttpContext context)
    {
        var here = await table.GetHome();
        var regions = new JsonArray { Json(_options.Name, here, null) };
        var peers = await Task.WhenAll(_options.Peers.Keys.Order(StringComparer.Ordinal).Select(async peer =>
        {
            try
            {
                return Json(peer, await link.HomeAsync(peer, context.RequestAborted), null);
            }
            catch (RegionUnreachableException ex)
            {
                return Json(peer, null, ex.Reason);
            }
        }));
        foreach (var peer in peers)
        {
            regions.Add(peer);
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["region"] = _options.Name,
            ["home"] = here.Home,
            ["epoch"] = here.Epoch,
            ["data"] = regions,
        });
    }

    public async Task MoveHomeAsync(HttpContext context)
    {
        var (body, bodyError) = await AdminRequestBody.ReadAsync(context.Request);
        if (body is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, bodyError!);
            return;
        }

        var region = body.Json["region"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        var problem = region switch
        {
            null => "required field missing",
            _ when !_options.Enabled => "this deployment has one region (Turnpike:Regions:Peers names none)",
            _ when region != _options.Name && !_options.Peers.ContainsKey(region) =>
                $"no region named '{string.Concat(region.Take(63).Select(c => char.IsControl(c) ? '?' : c))}'",
            _ when region != _options.Name => $"move the home through an edge of region '{region}': this edge is in region '{_options.Name}'",
            _ => null,
        };
        if (problem is not null)
        {
            await AdminJson.ErrorAsync(context, AdminError.SchemaViolation("region", problem));
            return;
        }

        var before = await table.GetHome();
        var after = await table.MoveHomeHere();
        if (after.Epoch != before.Epoch)
        {
            LogMoved(logger, before.Home, after.Home, after.Epoch, after.Version);
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, Json(_options.Name, after, null));
    }

    private static JsonObject Json(string region, HomeState? state, string? unreachable) => new()
    {
        ["name"] = region,
        ["home"] = state?.Home,
        ["epoch"] = state?.Epoch,
        ["version"] = state?.Version,
        ["reachable"] = unreachable is null,
        ["reason"] = unreachable,
    };

    [LoggerMessage(EventId = 5018, Level = LogLevel.Warning, Message = "The home for writes moved from region {From} to this region {To} (epoch {Epoch}, from version {Version})")]
    private static partial void LogMoved(ILogger logger, string from, string to, long epoch, long version);
}
