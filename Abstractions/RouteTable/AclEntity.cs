namespace Turnpike.RouteTable;

/// <summary>A consumer's membership of an ACL group (Kong's <c>acls</c> entity); one per consumer and group.</summary>
[GenerateSerializer, Immutable]
public sealed record AclEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Group { get; init; } = "";

    public override EntityKind Kind => EntityKind.Acl;

    string IConsumerScopedEntity.UniqueField => "group";

    string IConsumerScopedEntity.UniqueValue => Group;

    bool IConsumerScopedEntity.UniquePerConsumer => true;

    /// <summary>Unique per consumer: Kong addresses a membership as <c>/consumers/{consumer}/acls/{group}</c>.</summary>
    public override string? UniqueName => NameOf(ConsumerId, Group);

    public static string NameOf(Guid consumerId, string group) => $"{consumerId:N}:{group}";
}
