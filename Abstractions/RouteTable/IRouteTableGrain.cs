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

    /// <summary>
    /// <see cref="GetReplicaChanges"/> once there is something to send: at once when this table is not at
    /// <paramref name="version"/> under <paramref name="epoch"/>; otherwise the call is held until the next version commits
    /// or the epoch changes, or until <paramref name="wait"/> (at most <see cref="MaxReplicaWait"/>) passes with no change.
    /// The home's link endpoint answers a peer's long poll with it: the peer hears of a write as it commits.
    /// </summary>
    [AlwaysInterleave, ReadOnly]
    Task<RouteTableDelta> WaitForReplicaChanges(long version, long tableEpoch, long epoch, TimeSpan wait);

    /// <summary>
    /// The home's note that <paramref name="region"/> has stored this table up to <paramref name="version"/>, written
    /// under epoch <paramref name="tableEpoch"/> (its replicator asks for the changes after it). Kept in memory: a
    /// reactivated table hears it again from the peers' next pulls.
    /// </summary>
    [AlwaysInterleave]
    Task ConfirmReplica(string region, long version, long tableEpoch);

    /// <summary>
    /// True once another region has stored <paramref name="version"/> of this epoch (<see cref="ConfirmReplica"/>); false
    /// when <paramref name="wait"/> passed first. A write through the home's own edges is acknowledged only then, so the
    /// loss of the home region loses no acknowledged write.
    /// </summary>
    [AlwaysInterleave, ReadOnly]
    Task<bool> WaitForReplicated(long version, TimeSpan wait);

    /// <summary>The longest <see cref="WaitForReplicaChanges"/> holds a call: well within Orleans' response timeout.</summary>
    public static readonly TimeSpan MaxReplicaWait = TimeSpan.FromSeconds(10);

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
