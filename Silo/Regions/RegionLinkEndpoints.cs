using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Turnpike.Cluster;
using Turnpike.Metering;
using Turnpike.RateLimiting;
using Turnpike.Regions;
using Turnpike.RouteTable;

namespace Turnpike.Silo.Regions;

/// <summary>
/// The server side of the cross-region link, on the silo's link listener: every request is checked against the shared
/// secret before its body is read as anything; then the home region's route table takes forwarded writes and answers
/// the changes its peers pull.
/// </summary>
internal sealed class RegionLinkEndpoints(
    IGrainFactory grains,
    UsageReader usage,
    Serializer serializer,
    IOptions<RegionOptions> options,
    TimeProvider time)
{
    /// <summary>The largest link request body: a forwarded write is at most an admin body (16 MiB by default) as stored.</summary>
    public const long MaxBodySize = 64L * 1024 * 1024;

    /// <summary>A counter key is an instance id, a limit_by name and an identity (a header value at most a request's header size).</summary>
    private const int MaxCounterKeyLength = 70_000;

    private readonly RegionOptions _options = options.Value;

    private IRouteTableGrain Table => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    public async Task HandleAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodySize;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex)
        {
            await MessageAsync(context, ex.StatusCode, "link request body: " + ex.Message);
            return;
        }

        var request = context.Request;
        var pathAndQuery = request.Path.Value + request.QueryString.Value;
        var problem = LinkSignature.Check(
            _options.Secret!, _options.Peers.Keys, request.Headers[LinkSignature.RegionHeader], request.Headers[LinkSignature.TimeHeader],
            request.Headers[LinkSignature.SignatureHeader], request.Method, pathAndQuery, body, time.GetUtcNow(), _options.MaxClockSkew);
        if (problem is not null)
        {
            await MessageAsync(context, StatusCodes.Status401Unauthorized, problem);
            return;
        }

        switch (request.Path.Value)
        {
            case RegionLinkPaths.Write when HttpMethods.IsPost(request.Method):
                await WriteAsync(context, body);
                break;
            case RegionLinkPaths.Changes when HttpMethods.IsGet(request.Method):
                await ChangesAsync(context);
                break;
            case RegionLinkPaths.Home when HttpMethods.IsGet(request.Method):
                await BinaryAsync(context, serializer.SerializeToArray(await Table.GetHome()));
                break;
            case RegionLinkPaths.Usage when HttpMethods.IsGet(request.Method):
                await UsageAsync(context);
                break;
            case RegionLinkPaths.RateLimitLease when HttpMethods.IsPost(request.Method):
                await LeaseAsync(context, body, request.Headers[LinkSignature.RegionHeader]!);
                break;
            default:
                await MessageAsync(context, StatusCodes.Status404NotFound, "Not found");
                break;
        }
    }

    /// <summary>
    /// The sender's view of the home (<c>epoch</c>, <c>home</c>), taken when newer than this region's: an old home that hears
    /// of a move from a forwarded write or a pull stops taking writes at once. Null once a 400 was written.
    /// </summary>
    private async Task<long?> SenderEpochAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["epoch"], out var epoch) || epoch < 0 || !RegionOptionsChecks.IsValidName(query["home"])
            || (query["home"] != _options.Name && !_options.Peers.ContainsKey(query["home"]!)))
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, "epoch (0 or more) and home (a region) are required");
            return null;
        }

        await Table.AdoptHome(epoch, query["home"]!);
        return epoch;
    }

    private async Task WriteAsync(HttpContext context, byte[] body)
    {
        if (await SenderEpochAsync(context) is null)
        {
            return;
        }

        RouteTableWrite? write;
        try
        {
            write = serializer.Deserialize<RouteTableWrite>(body);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            write = null;
        }

        if (write is null)
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, "link request body is not a route table write of this version of Turnpike");
            return;
        }

        RouteTableWriteResult result;
        try
        {
            result = await Table.Write(write);
        }
        catch (StateStoreUnavailableException ex)
        {
            context.Response.Headers[RegionLink.StorageProblemHeader] = "1";
            await MessageAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            await MessageAsync(context, StatusCodes.Status503ServiceUnavailable, "the home region's cluster is unavailable: " + ex.GetType().Name);
            return;
        }

        await BinaryAsync(context, serializer.SerializeToArray(result));
    }

    /// <summary>
    /// Permits of a <c>policy: global</c> limit for the signing region, from this (home) region's global counter. The lease
    /// is the signing region's whatever the body names, so no region can take or hand back permits in another's name.
    /// </summary>
    private async Task LeaseAsync(HttpContext context, byte[] body, string region)
    {
        if (await SenderEpochAsync(context) is null)
        {
            return;
        }

        GlobalQuotaRequest? lease;
        try
        {
            lease = serializer.Deserialize<GlobalQuotaRequest>(body);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lease = null;
        }

        if (lease is null || lease.Key.Length is 0 or > MaxCounterKeyLength || lease.Limits.Length is 0 or > 6 || lease.Wanted < 0)
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, "link request body is not a rate-limit lease request of this version of Turnpike");
            return;
        }

        try
        {
            var home = await Table.GetHome();
            if (home.Home != _options.Name)
            {
                await MessageAsync(context, StatusCodes.Status503ServiceUnavailable, $"region '{_options.Name}' is not the home region (the home is '{home.Home}')");
                return;
            }

            var grant = await grains.GetGrain<IGlobalRateLimitCounterGrain>(lease.Key).Lease(lease with { Region = region });
            await BinaryAsync(context, serializer.SerializeToArray(grant));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await MessageAsync(context, StatusCodes.Status503ServiceUnavailable, "the home region's global counter could not grant: " + ex.GetType().Name);
        }
    }

    private async Task ChangesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["since"], out var since) || !long.TryParse(query["wait"], out var waitMs) || waitMs < 0)
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, "since (a version) and wait (milliseconds) are required");
            return;
        }

        if (await SenderEpochAsync(context) is not { } epoch)
        {
            return;
        }

        // The epoch the asker's table was written under (older than the one it knows while it holds an old home's table).
        var tableEpoch = long.TryParse(query["table"], out var t) && t >= 0 && t <= epoch ? t : epoch;

        // Asking for what comes after `since` says the signing region has stored `since`: a write through the home's own
        // edges waits for that before it is acknowledged.
        await Table.ConfirmReplica(context.Request.Headers[LinkSignature.RegionHeader]!, since, tableEpoch);

        // Held until the table moves past the caller's version or the wait ends. The grain holds the call and answers as
        // the next version commits, so the peer hears of a write at once (a poll here every 50 ms cost a peer 25 ms on
        // average and 50 at worst); a held call lasts at most MaxReplicaWait, so a longer wait asks again.
        var deadline = time.GetTimestamp() + (long)(Math.Min(waitMs, RegionLinkPaths.MaxWait.TotalMilliseconds) * time.TimestampFrequency / 1000);
        RouteTableDelta delta;
        while (true)
        {
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            delta = await Table.WaitForReplicaChanges(since, tableEpoch, epoch, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (delta.Version != since || delta.IsFullSnapshot || delta.Epoch != epoch || time.GetTimestamp() >= deadline)
            {
                break;
            }

            context.RequestAborted.ThrowIfCancellationRequested();
        }

        await BinaryAsync(context, serializer.SerializeToArray(delta));
    }

    /// <summary>This region's own usage (its meter grains only), streamed a period at a time: the asking edge merges the regions.</summary>
    private async Task UsageAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["from"], out var from) || !long.TryParse(query["to"], out var to) || to <= from
            || to - from > 400L * 86400 || !Enum.TryParse<BillingGranularity>(query["granularity"], ignoreCase: true, out var granularity)
            || !Enum.IsDefined(granularity) || !OptionalId(query["consumer"], out var consumer) || !OptionalId(query["service"], out var service))
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, "from and to (unix seconds, at most 400 days apart), granularity (hour, day or month) are required; consumer and service are ids");
            return;
        }

        // Headers go out before the first period is read: the asking edge learns at once that this region answers.
        context.Response.ContentType = "application/octet-stream";
        await context.Response.StartAsync(context.RequestAborted);
        await foreach (var period in usage.ReadAsync(from, to, granularity, consumer, service).WithCancellation(context.RequestAborted))
        {
            await UsageFrames.WriteAsync(context.Response.Body, serializer, period, context.RequestAborted);
        }

        await UsageFrames.WriteAsync(context.Response.Body, serializer, null, context.RequestAborted);
    }

    private static bool OptionalId(string? text, out Guid? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (Guid.TryParseExact(text, "D", out var parsed))
        {
            id = parsed;
            return true;
        }

        return false;
    }

    private static async Task BinaryAsync(HttpContext context, byte[] bytes)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    public static Task MessageAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(new JsonObject { ["message"] = message }.ToJsonString(), context.RequestAborted);
    }
}
