using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Admin authentication without processes: token parsing, the edge's admin directory, and the route table's rules for admins.</summary>
[Fast]
public sealed class AdminAuthUnitTests
{
    private const string Bootstrap = "bootstrap-token-0123456789";

    [Theory]
    [InlineData("abc\rdef0123456789")]
    [InlineData("abc\ndef0123456789")]
    [InlineData("abc\0def0123456789")]
    public void Token_with_CR_LF_or_NUL_is_malformed_and_not_looked_up(string token)
    {
        var headers = new HeaderDictionary { [AdminAuthenticator.TokenHeader] = token };
        Assert.Equal((null, AdminAuthFailure.Malformed), AdminAuthenticator.TokenOf(headers));
        var authenticator = new AdminAuthenticator(Options.Create(new AdminAuthenticationOptions { Token = Bootstrap }));
        Assert.Equal((null, AdminAuthFailure.Malformed), authenticator.Authenticate(headers, AdminDirectory.Empty));
    }

    [Fact]
    public void Token_longer_than_512_characters_is_malformed()
    {
        var headers = new HeaderDictionary { ["Authorization"] = "Bearer " + new string('a', 513) };
        Assert.Equal(AdminAuthFailure.Malformed, AdminAuthenticator.TokenOf(headers).Failure);
        headers["Authorization"] = "Bearer " + new string('a', 512);
        Assert.Equal(AdminAuthFailure.None, AdminAuthenticator.TokenOf(headers).Failure);
    }

    [Fact]
    public void Both_headers_with_different_tokens_conflict_and_agreeing_ones_pass()
    {
        var headers = new HeaderDictionary { [AdminAuthenticator.TokenHeader] = "first-token-0123456789", ["Authorization"] = "Bearer other-token-0123456789" };
        Assert.Equal((null, AdminAuthFailure.Conflicting), AdminAuthenticator.TokenOf(headers));
        headers["Authorization"] = "bearer first-token-0123456789";
        Assert.Equal(("first-token-0123456789", AdminAuthFailure.None), AdminAuthenticator.TokenOf(headers));
    }

    [Fact]
    public void Other_authorization_schemes_and_no_headers_count_as_missing()
    {
        Assert.Equal(AdminAuthFailure.Missing, AdminAuthenticator.TokenOf(new HeaderDictionary()).Failure);
        Assert.Equal(AdminAuthFailure.Missing, AdminAuthenticator.TokenOf(new HeaderDictionary { ["Authorization"] = "Basic dXNlcjpwYXNz" }).Failure);
    }

    [Fact]
    public void Bootstrap_token_is_a_super_admin_and_a_near_miss_is_unknown()
    {
        var authenticator = new AdminAuthenticator(Options.Create(new AdminAuthenticationOptions { Token = Bootstrap }));
        Assert.True(authenticator.IsEnforced(AdminDirectory.Empty));
        Assert.Equal(AdminIdentity.Bootstrap, authenticator.Authenticate(new HeaderDictionary { [AdminAuthenticator.TokenHeader] = Bootstrap }, AdminDirectory.Empty).Identity);
        Assert.Equal(
            (null, AdminAuthFailure.Unknown),
            authenticator.Authenticate(new HeaderDictionary { [AdminAuthenticator.TokenHeader] = Bootstrap + "x" }, AdminDirectory.Empty));
    }

    [Fact]
    public void Without_bootstrap_token_or_admins_authentication_is_off()
    {
        var authenticator = new AdminAuthenticator(Options.Create(new AdminAuthenticationOptions()));
        Assert.False(authenticator.IsEnforced(AdminDirectory.Empty));
        Assert.True(authenticator.IsEnforced(AdminDirectory.Empty.Apply(false, [Admin("a", "read-only", "token-of-a-0123456789")], [])));
    }

    [Fact]
    public void Directory_verifies_the_token_and_forgets_it_when_rotated_or_deleted()
    {
        var alice = Admin("alice", "admin", "alice-token-0123456789");
        var directory = AdminDirectory.Empty.Apply(false, [alice, Admin("bob", "read-only", "bob-token-0123456789")], []);
        Assert.Equal("alice", directory.Verify("alice-token-0123456789")?.Username);
        Assert.Equal("alice", directory.Verify("alice-token-0123456789")?.Username); // from the cache
        Assert.Null(directory.Verify(alice.TokenHash));
        Assert.Null(directory.Verify("alice-token-012345678"));

        var (salt, hash) = AdminToken.Protect("alice-new-token-0123456789");
        var rotated = directory.Apply(false, [alice with { TokenSalt = salt, TokenHash = hash }], []);
        Assert.Null(rotated.Verify("alice-token-0123456789"));
        Assert.Equal("alice", rotated.Verify("alice-new-token-0123456789")?.Username);

        var deleted = rotated.Apply(false, [], [new EntityRef(EntityKind.Admin, alice.Id)]);
        Assert.Null(deleted.Verify("alice-new-token-0123456789"));
        Assert.Same(deleted, deleted.Apply(false, [new ServiceEntity { Id = Guid.NewGuid(), Host = "h" }], []));
    }

    [Fact]
    public void Required_role_is_read_only_for_reads_admin_for_writes_and_super_admin_for_the_admins_api()
    {
        Assert.Equal(AdminRole.ReadOnly, AdminAuthorization.Required("GET", adminsApi: false));
        Assert.Equal(AdminRole.ReadOnly, AdminAuthorization.Required("HEAD", adminsApi: false));
        Assert.Equal(AdminRole.Admin, AdminAuthorization.Required("POST", adminsApi: false));
        Assert.Equal(AdminRole.Admin, AdminAuthorization.Required("DELETE", adminsApi: false));
        Assert.Equal(AdminRole.SuperAdmin, AdminAuthorization.Required("GET", adminsApi: true));
    }

    [Fact]
    public void Generated_tokens_are_acceptable_and_differ()
    {
        var first = AdminToken.Generate();
        Assert.Null(AdminToken.CheckNew(first));
        Assert.NotEqual(first, AdminToken.Generate());
        Assert.NotNull(AdminToken.CheckNew("short"));
        Assert.NotNull(AdminToken.CheckNew("has a space in it 0123"));
    }

    [Fact]
    public void Table_replacement_keeps_admins()
    {
        var admin = Admin("keeper", "super-admin", "keeper-token-0123456789");
        var table = RouteTableContent.Empty.Apply(RouteTableWrite.Upsert(admin, new ServiceEntity { Id = Guid.NewGuid(), Name = "old", Host = "h" }), 1).Table!;
        var replaced = table.Apply(new RouteTableWrite { ReplaceAll = true, Upserts = [new ServiceEntity { Id = Guid.NewGuid(), Name = "new", Host = "h" }] }, 2);
        Assert.Null(replaced.Error);
        Assert.Equal(admin.TokenHash, Assert.IsType<AdminEntity>(replaced.Table!.Find(EntityKind.Admin, "keeper")).TokenHash);
        Assert.DoesNotContain(replaced.Deleted, d => d.Kind == EntityKind.Admin);
        Assert.Null(replaced.Table.Find(EntityKind.Service, "old"));
    }

    [Fact]
    public void Admin_written_without_a_hash_keeps_the_stored_one_and_a_new_one_needs_a_token()
    {
        var admin = Admin("editor", "read-only", "editor-token-0123456789");
        var table = RouteTableContent.Empty.Apply(RouteTableWrite.Upsert(admin), 1).Table!;
        var edited = table.Apply(RouteTableWrite.Upsert(admin with { Role = "admin", TokenSalt = "", TokenHash = "" }), 2);
        var stored = Assert.IsType<AdminEntity>(Assert.Single(edited.Stored));
        Assert.Equal(("admin", admin.TokenHash, admin.TokenSalt), (stored.Role, stored.TokenHash, stored.TokenSalt));

        var tokenless = table.Apply(RouteTableWrite.Upsert(new AdminEntity { Id = Guid.NewGuid(), Username = "nobody", Role = "admin" }), 2);
        Assert.Equal(AdminError.SchemaViolationCode, tokenless.Error?.Code);
        Assert.Equal(409, table.Apply(RouteTableWrite.Upsert(Admin("editor", "admin", "another-token-0123456789")), 2).Error?.HttpStatus);
    }

    [Fact]
    public async Task Stored_table_replacement_keeps_admins_in_storage()
    {
        var disk = new CrashableGrainStorage();
        var grain = GrainId.Create("routetable", "default");
        var storage = new RouteTableStorage(disk, grain);
        await storage.LoadAsync();
        var admin = Admin("stored", "super-admin", "stored-token-0123456789");
        await storage.SaveAsync(1, new RouteTableWriteRecord { Upserts = [admin, new ServiceEntity { Id = Guid.NewGuid(), Name = "old", Host = "h" }] });
        await storage.SaveAsync(2, new RouteTableWriteRecord { ReplaceAll = true, Upserts = [new ServiceEntity { Id = Guid.NewGuid(), Name = "new", Host = "h" }] });

        var loaded = await new RouteTableStorage(disk, grain).LoadAsync();
        Assert.Equal(["new", "stored"], loaded.Select(e => e.UniqueName).Order(StringComparer.Ordinal));
    }

    private static AdminEntity Admin(string username, string role, string token)
    {
        var (salt, hash) = AdminToken.Protect(token);
        return new AdminEntity { Id = Guid.NewGuid(), Username = username, Role = role, TokenSalt = salt, TokenHash = hash };
    }
}
