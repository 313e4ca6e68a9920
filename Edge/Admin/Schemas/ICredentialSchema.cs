namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// A consumer-scoped entity kind (a credential kind, ACL groups) as the plugin that brings it declares it, in its own
/// folder, as Kong's plugins declare their <c>daos.lua</c>: its schema, and the admin paths it is served under. Registered
/// with one line beside its plugin (<c>AddSingleton&lt;ICredentialSchema, …&gt;</c>), it is picked up by every place that
/// walks the kinds: the admin routes (<c>/consumers/{consumer}/{ConsumerPath}</c> and <c>/{CollectionPath}</c>),
/// <c>/schemas/{table}</c>, and the declarative format, where it nests under consumers as its table name with an id
/// derived from the consumer's and <see cref="IEntitySchema.NameField"/>. The route table and the edge's
/// <c>ConsumerDirectory</c> need nothing from here: they work from the record's <see cref="IConsumerScopedEntity"/>.
/// </summary>
internal interface ICredentialSchema : IEntitySchema
{
    /// <summary>The segment under a consumer: <c>key-auth</c> for <c>/consumers/{consumer}/key-auth</c>.</summary>
    string ConsumerPath { get; }

    /// <summary>The top-level collection, all consumers': <c>key-auths</c> for <c>/key-auths</c>.</summary>
    string CollectionPath { get; }
}
