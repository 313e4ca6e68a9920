using Orleans.Runtime;

namespace Turnpike.Edge.Admin;

/// <summary>
/// The admin API's calls to the route table grain, sent again when the cluster refused to deliver them: a
/// silo leaving (scale-in) or just declared dead rejects messages it never processed, and the next attempt
/// reaches the grain's new activation. A write that might have been processed before its silo died can
/// come back as a conflict (the name exists), which is the answer a client retrying it itself would get.
/// </summary>
internal sealed class RouteTableClient(IGrainFactory grains)
{
    // Backing off 0.3, 0.6, 0.9, 1.2 s: about 3 s in all, time for the cluster to route around a silo that left.
    private const int Attempts = 5;
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(300);

    private IRouteTableGrain Grain => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    public Task<RouteTableWriteResult> Write(RouteTableWrite write) => RetryAsync(() => Grain.Write(write), NotDelivered);

    public Task<GatewayEntity?> Find(EntityKind kind, string idOrName) => RetryAsync(() => Grain.Find(kind, idOrName), AnyClusterFailure);

    public Task<EntityPage> List(EntityQuery query) => RetryAsync(() => Grain.List(query), AnyClusterFailure);

    public Task<RouteTableDelta> GetChangesSince(long version) => RetryAsync(() => Grain.GetChangesSince(version), AnyClusterFailure);

    /// <summary>A write is sent again only when it surely was not processed.</summary>
    private static bool NotDelivered(Exception ex) => ex is OrleansMessageRejectionException or SiloUnavailableException;

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
}
