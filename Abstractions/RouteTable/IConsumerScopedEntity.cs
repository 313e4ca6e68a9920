namespace Turnpike.RouteTable;

/// <summary>
/// An entity that belongs to a consumer (credentials, ACL groups): listed under it and deleted with it. The route table
/// and the edges handle every such kind the same way from what it declares here, so a plugin that brings one adds no
/// case to them (see docs/architecture.md, "Credential kinds"). Records implement the members below explicitly: they are
/// derived, so they stay out of what is serialized (the edges' table digest hashes an entity's JSON) and printed.
/// </summary>
public interface IConsumerScopedEntity
{
    Guid ConsumerId { get; }

    /// <summary>The field that must be unique (<c>key</c>, <c>username</c>, <c>group</c>), named when a write breaks it.</summary>
    string UniqueField { get; }

    /// <summary>Its value. <see cref="GatewayEntity.UniqueName"/> is this value, or this value within the consumer when <see cref="UniquePerConsumer"/>.</summary>
    string UniqueValue { get; }

    /// <summary>
    /// True when the value is unique within its consumer only (an ACL group): the edge indexes such values by consumer
    /// (what a consumer holds). The others are unique across consumers and indexed by value (what a request presents).
    /// </summary>
    bool UniquePerConsumer => false;
}
