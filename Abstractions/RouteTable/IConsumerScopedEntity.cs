namespace Turnpike.RouteTable;

/// <summary>An entity that belongs to a consumer (credentials, ACL groups): listed under it and deleted with it.</summary>
public interface IConsumerScopedEntity
{
    Guid ConsumerId { get; }
}
