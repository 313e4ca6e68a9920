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
    private const int Attempts = 3;
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(200);

    private IRouteTableGrain Grain => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    public Task<RouteTableWriteResult> Write(RouteTableWrite write) => RetryAsync(() => Grain.Write(write));

    public Task<GatewayEntity?> Find(EntityKind kind, string idOrName) => RetryAsync(() => Grain.Find(kind, idOrName));

    public Task<EntityPage> List(EntityQuery query) => RetryAsync(() => Grain.List(query));

    public Task<RouteTableDelta> GetChangesSince(long version) => RetryAsync(() => Grain.GetChangesSince(version));

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < Attempts && ex is OrleansMessageRejectionException or SiloUnavailableException)
            {
                await Task.Delay(Backoff * attempt);
            }
        }
    }
}
