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

    /// <summary>Registers (or renews) an edge's observer; returns the current version. Renew well within the expiry.</summary>
    Task<long> Subscribe(IRouteTableObserver observer, EdgeReport report);

    Task Unsubscribe(IRouteTableObserver observer, string edgeId);

    [AlwaysInterleave, ReadOnly]
    Task<EdgeReport[]> GetEdges();
}
