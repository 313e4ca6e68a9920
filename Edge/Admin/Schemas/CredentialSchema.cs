using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>The base of a credential kind's schema (<see cref="ICredentialSchema"/>): an entity schema with its admin paths.</summary>
internal abstract class CredentialSchema<TEntity>(ConfigStep[] steps) : EntitySchema<TEntity>(steps), ICredentialSchema
    where TEntity : GatewayEntity, IConsumerScopedEntity
{
    public abstract string ConsumerPath { get; }

    public abstract string CollectionPath { get; }
}
