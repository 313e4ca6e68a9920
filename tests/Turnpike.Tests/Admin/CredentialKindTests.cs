using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Plugins;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>
/// Credential kinds are table-driven: each consumer-scoped record is registered once as an <see cref="ICredentialSchema"/>
/// beside its plugin, and the route table and the edge's consumer directory handle every such kind alike.
/// </summary>
[Fast]
public sealed class CredentialKindTests
{
    private static readonly EntitySchemas Schemas = TestSchemas.Create(new PluginRegistry([]));

    public static TheoryData<Type> ConsumerScopedRecords() =>
        [.. typeof(IConsumerScopedEntity).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConsumerScopedEntity).IsAssignableFrom(t))];

    [Theory]
    [MemberData(nameof(ConsumerScopedRecords))]
    public void Every_consumer_scoped_record_has_a_registered_credential_schema_that_reads_it(Type record)
    {
        var kind = ((GatewayEntity)Activator.CreateInstance(record)!).Kind;
        var schema = Assert.Single(Schemas.Credentials, c => c.Kind == kind);
        Assert.Same(schema, Schemas.Find(kind.TableName()));
    }

    [Theory]
    [MemberData(nameof(ConsumerScopedRecords))]
    public void What_a_record_declares_for_its_kind_stays_out_of_its_json(Type record)
    {
        // The edges' table digest hashes each entity's JSON: derived members there would change every digest.
        var json = System.Text.Json.JsonSerializer.Serialize(Activator.CreateInstance(record), record);

        Assert.DoesNotContain("Unique", json.Replace("\"UniqueName\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Registered_credential_kinds_are_in_kind_order_with_distinct_admin_paths()
    {
        Assert.Equal(Schemas.Credentials.Select(c => c.Kind).Order(), Schemas.Credentials.Select(c => c.Kind));
        Assert.Equal(
            [EntityKind.KeyAuthCredential, EntityKind.Acl, EntityKind.BasicAuthCredential, EntityKind.JwtCredential, EntityKind.HmacAuthCredential, EntityKind.OAuth2Credential],
            Schemas.Credentials.Select(c => c.Kind));
        var consumerPaths = Schemas.Credentials.Select(c => c.ConsumerPath).ToList();
        var collections = Schemas.Credentials.Select(c => c.CollectionPath).ToList();
        Assert.Equal(consumerPaths.Count, consumerPaths.Distinct().Count());
        Assert.Equal(collections.Count, collections.Distinct().Count());
        Assert.DoesNotContain("plugins", consumerPaths);
    }

    [Fact]
    public void Route_table_refuses_a_credential_value_taken_by_another_consumer_naming_the_declared_field()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        var bob = new ConsumerEntity { Id = Guid.NewGuid(), Username = "bob" };
        var table = RouteTableContent.Empty.Apply(RouteTableWrite.Upsert(
            alice, bob, new HmacAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Username = "shared", Secret = "s" }), 1).Table!;

        var result = table.Apply(RouteTableWrite.Upsert(new HmacAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = bob.Id, Username = "shared", Secret = "t" }), 2);

        Assert.Equal(AdminError.UniqueViolationCode, result.Error?.Code);
        Assert.Equal("shared", result.Error!.Fields!["username"]);
    }

    [Fact]
    public void Route_table_allows_the_same_acl_group_for_two_consumers_but_not_twice_for_one()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        var bob = new ConsumerEntity { Id = Guid.NewGuid(), Username = "bob" };
        var table = RouteTableContent.Empty.Apply(RouteTableWrite.Upsert(
            alice, bob, new AclEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Group = "gold" }, new AclEntity { Id = Guid.NewGuid(), ConsumerId = bob.Id, Group = "gold" }), 1).Table!;

        var again = table.Apply(RouteTableWrite.Upsert(new AclEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Group = "gold" }), 2);

        Assert.Equal(2, table.OwnedOf(EntityKind.Acl).Count);
        Assert.Equal("gold", again.Error?.Fields?["group"]);
    }

    [Fact]
    public void Deleting_a_consumer_deletes_what_it_holds_of_every_kind()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        GatewayEntity[] owned =
        [
            new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Key = "k" },
            new AclEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Group = "gold" },
            new OAuth2CredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Name = "app", ClientId = "c", ClientSecret = "s" },
        ];
        var table = RouteTableContent.Empty.Apply(RouteTableWrite.Upsert([alice, .. owned]), 1).Table!;

        var result = table.Apply(RouteTableWrite.Delete(new EntityRef(EntityKind.Consumer, alice.Id)), 2);

        Assert.Empty(result.Table!.ConsumerScoped);
        Assert.Equal(owned.Select(e => new EntityRef(e.Kind, e.Id)).ToHashSet(), result.Deleted.Where(d => d.Kind != EntityKind.Consumer).ToHashSet());
    }

    [Fact]
    public void Consumer_directory_finds_each_kind_by_its_unique_name_and_id_and_forgets_deleted_ones()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        var key = new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Key = "alice-key" };
        var hmac = new HmacAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Username = "alice-hmac", Secret = "s" };
        var directory = ConsumerDirectory.Empty.Apply(true, [alice, key, hmac], []);

        Assert.Same(key, directory.Credential(EntityKind.KeyAuthCredential, "alice-key"));
        Assert.Same(hmac, directory.Credential(EntityKind.HmacAuthCredential, hmac.Id));
        Assert.Null(directory.Credential(EntityKind.KeyAuthCredential, "alice-hmac")); // each kind has its own names
        Assert.Null(directory.Credential(EntityKind.JwtCredential, "alice-key"));

        var renamed = key with { Key = "new-key" };
        directory = directory.Apply(false, [renamed], [new EntityRef(EntityKind.HmacAuthCredential, hmac.Id)]);

        Assert.Null(directory.Credential(EntityKind.KeyAuthCredential, "alice-key"));
        Assert.Same(renamed, directory.Credential(EntityKind.KeyAuthCredential, "new-key"));
        Assert.Null(directory.Credential(EntityKind.HmacAuthCredential, "alice-hmac"));
    }

    [Fact]
    public void Consumer_directory_holds_each_consumers_acl_groups_in_order()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        var silver = new AclEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Group = "silver" };
        var gold = new AclEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Group = "gold" };
        var directory = ConsumerDirectory.Empty.Apply(true, [alice, silver, gold], []);

        Assert.Equal(["gold", "silver"], directory.HeldBy(EntityKind.Acl, alice.Id));

        directory = directory.Apply(false, [], [new EntityRef(EntityKind.Acl, silver.Id)]);
        Assert.Equal(["gold"], directory.HeldBy(EntityKind.Acl, alice.Id));

        directory = directory.Apply(false, [], [new EntityRef(EntityKind.Acl, gold.Id)]);
        Assert.Empty(directory.HeldBy(EntityKind.Acl, alice.Id));
        Assert.Empty(directory.HeldBy(EntityKind.KeyAuthCredential, alice.Id)); // unique across consumers: not held per consumer
    }
}
