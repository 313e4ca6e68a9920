namespace Turnpike.RouteTable;

/// <summary>
/// The cluster's route table: services, routes and plugin instances, versioned and persisted.
/// Every successful write gets the next version; edges hold the whole table and follow the versions.
/// </summary>
public interface IRouteTableGrain : IGrainWithStringKey
{
    public const string DefaultKey = "default";

    Task<RouteTableWriteResult> Write(RouteTableWrite write);

    [AlwaysInterleave, ReadOnly]
    Task<GatewayEntity?> Find(EntityKind kind, string idOrName);

    [AlwaysInterleave, ReadOnly]
    Task<EntityPage> List(EntityQuery query);

    [AlwaysInterleave, ReadOnly]
    Task<RouteTableDelta> GetChangesSince(long version);

    /// <summary>The last committed version.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<long> GetVersion();

    /// <summary>
    /// In a region that is not the home for writes: applies the home region's changes since <paramref name="fromVersion"/>
    /// at the home's version (a whole table whatever the version held). A delta from another version than this table's is
    /// ignored. Returns the version now held.
    /// </summary>
    Task<long> ApplyReplica(long fromVersion, RouteTableDelta delta);

    /// <summary>
    /// For another region's replicator: <see cref="GetChangesSince"/> stamped with this table's home epoch, and the whole
    /// table when the asking region's table (<see cref="HomeState.TableEpoch"/>) is of an older epoch and beyond the version this epoch began at (it may hold
    /// writes of an old home that this table never had).
    /// </summary>
    [AlwaysInterleave, ReadOnly]
    Task<RouteTableDelta> GetReplicaChanges(long version, long tableEpoch);

    /// <summary>The home region and its epoch as this region's table holds them.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<HomeState> GetHome();

    /// <summary>
    /// Makes <paramref name="region"/> (this table's own region) the home under the next epoch, stored before it answers.
    /// A region that is home already is answered as it is.
    /// </summary>
    Task<HomeState> MoveHome(string region);

    /// <summary>Takes a newer epoch learnt from another region (stored); an older or equal one changes nothing. Returns what is held.</summary>
    Task<HomeState> AdoptHome(long epoch, string home);

    /// <summary>Registers (or renews) an edge's observer; returns the current version. Renew well within the expiry.</summary>
    Task<long> Subscribe(IRouteTableObserver observer, EdgeReport report);

    Task Unsubscribe(IRouteTableObserver observer, string edgeId);

    [AlwaysInterleave, ReadOnly]
    Task<EdgeReport[]> GetEdges();
}
