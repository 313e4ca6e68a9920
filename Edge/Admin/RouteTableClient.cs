using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Turnpike.Edge.Regions;
using Turnpike.Edge.RouteTable;
using Turnpike.Regions;

namespace Turnpike.Edge.Admin;

/// <summary>
/// The admin API's calls to the route table grain, sent again when the cluster refused to deliver them (a
/// silo leaving or just declared dead rejects messages it never processed) or did not answer in time. Each
/// write carries an id, and the grain answers a write it has applied already with that write's version
/// instead of applying it twice, so sending a write again after a lost answer is safe.
/// A write is answered once this edge serves its version (read your writes): a client that creates a route through an
/// edge and then calls that edge's proxy finds the route there.
/// </summary>
internal sealed partial class RouteTableClient(
    IGrainFactory grains,
    HomeRegionWrites regions,
    RouteTableStore store,
    IOptions<RegionOptions> options,
    TimeProvider time,
    ILogger<RouteTableClient> logger)
{
    // Backing off 0.3, 0.6, 0.9, 1.2 s: about 3 s in all, time for the cluster to route around a silo that left.
    private const int Attempts = 5;
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ReplicationSlice = TimeSpan.FromSeconds(2);
    private IRouteTableGrain? _grain;

    // Made once: GetGrain resolves the interface by reflection on every call.
    private IRouteTableGrain Grain => _grain ??= grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    public async Task<RouteTableWriteResult> Write(RouteTableWrite write)
    {
        var named = write.WriteId == Guid.Empty ? write with { WriteId = Guid.NewGuid() } : write;
        var result = await WriteOnceAsync(named);
        var timeout = options.Value.ReadYourWritesTimeout;
        if (result.Succeeded && !await store.WaitForVersionAsync(result.Version, timeout, time))
        {
            // Bounded: an edge cut off from its route table still answers the write it had committed.
            LogNotYetServed(logger, result.Version, store.Current.Version, timeout.TotalSeconds);
        }

        return result;
    }

    private async Task<RouteTableWriteResult> WriteOnceAsync(RouteTableWrite named)
    {
        if (regions.Enabled)
        {
            // Away from the home region (as this region's table names it: the home can move), the home's route table
            // takes the write over the link.
            var home = await GetHome();
            if (home.Home != regions.Region)
            {
                return await regions.WriteAsync(home, named);
            }
        }

        var result = await RetryAsync(() => Grain.Write(named), Unanswered);
        if (regions.Enabled && result.Succeeded && !await ReplicatedAsync(result.Version))
        {
            // Committed here but held by no other region yet: were this region lost now, the write would be lost with it,
            // so it is not acknowledged. It stays (another region pulls it once it can): the client reads it back.
            LogNotReplicated(logger, result.Version, options.Value.WriteTimeout.TotalSeconds);
            return new RouteTableWriteResult
            {
                Version = result.Version,
                Error = new AdminError
                {
                    Name = "write not confirmed",
                    Message = $"The home region '{regions.Region}' committed the write (version {result.Version}) but no other region stored it within {options.Value.WriteTimeout.TotalSeconds:0.#} s, so it is not acknowledged: read it back before writing it again",
                    HttpStatus = 503,
                },
            };
        }

        return result;
    }

    /// <summary>
    /// True once another region has stored <paramref name="version"/>, false after <see cref="RegionOptions.WriteTimeout"/>;
    /// asked in slices so that no call is held near the cluster's response timeout.
    /// </summary>
    private async Task<bool> ReplicatedAsync(long version)
    {
        var deadline = time.GetTimestamp() + (long)(options.Value.WriteTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (await RetryAsync(() => Grain.WaitForReplicated(version, left < ReplicationSlice ? left : ReplicationSlice), AnyClusterFailure))
            {
                return true;
            }
        }
    }

    /// <summary>The home region and its epoch as this region's route table holds them.</summary>
    public Task<HomeState> GetHome() => RetryAsync(() => Grain.GetHome(), AnyClusterFailure);

    /// <summary>Makes this edge's region the home under the next epoch.</summary>
    public Task<HomeState> MoveHomeHere() => RetryAsync(() => Grain.MoveHome(regions.Region), Unanswered);

    public Task<GatewayEntity?> Find(EntityKind kind, string idOrName) => RetryAsync(() => Grain.Find(kind, idOrName), AnyClusterFailure);

    public Task<EntityPage> List(EntityQuery query) => RetryAsync(() => Grain.List(query), AnyClusterFailure);

    /// <summary>Every entity the query matches, page after page.</summary>
    public async IAsyncEnumerable<GatewayEntity> ListAll(EntityQuery query)
    {
        Guid? after = null;
        do
        {
            var page = await List(query with { After = after });
            foreach (var entity in page.Items)
            {
                yield return entity;
            }

            after = page.NextAfter;
        }
        while (after is not null);
    }

    public Task<RouteTableDelta> GetChangesSince(long version) => RetryAsync(() => Grain.GetChangesSince(version), AnyClusterFailure);

    /// <summary>
    /// A write is sent again when it was refused or its answer did not come (it may have been applied: its id
    /// makes the grain recognise it). Not after a storage failure: that already took its time, and says so.
    /// </summary>
    private static bool Unanswered(Exception ex) => ex is OrleansMessageRejectionException or SiloUnavailableException or TimeoutException;

    /// <summary>Reads change nothing, so any failure of the cluster's runtime is worth another attempt.</summary>
    private static bool AnyClusterFailure(Exception ex) => ex is OrleansException or TimeoutException;

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, Func<Exception, bool> retryable)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < Attempts && retryable(ex))
            {
                await Task.Delay(Backoff * attempt);
            }
        }
    }

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Admin write committed version {Version} but this edge still serves {Serving} after {Seconds} s; answered anyway")]
    private static partial void LogNotYetServed(ILogger logger, long version, long serving, double seconds);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Warning, Message = "Admin write committed version {Version} in the home region but no other region stored it within {Seconds} s; answered 503")]
    private static partial void LogNotReplicated(ILogger logger, long version, double seconds);
}
