using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Tls;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>
/// Pooled upstream clients per connect timeout and TLS policy, as the snapshot builder hands them out: shared while
/// the policy stays, new when a CA or client certificate changes, the old one disposed after its last request.
/// </summary>
[Fast]
public sealed class UpstreamClientsTests : IDisposable
{
    private readonly StandaloneRouteTable _table = new(new PluginRegistry([]));

    private UpstreamClients Clients => _table.Clients;

    public void Dispose() => _table.Dispose();

    private static CaCertificateEntity Authority(Guid? id = null)
    {
        var ca = TestCertificates.Ca(ecdsa: true);
        return new CaCertificateEntity { Id = id ?? Guid.NewGuid(), Cert = ca.CertPem, CertDigest = ca.Digest };
    }

    private static (ServiceEntity Service, RouteEntity Route) Service(string path, string protocol = "https", Guid[]? cas = null, bool? verify = null, int? depth = null)
    {
        var service = new ServiceEntity { Id = Guid.NewGuid(), Protocol = protocol, Host = "upstream.test", Port = 443, CaCertificates = cas, TlsVerify = verify, TlsVerifyDepth = depth };
        return (service, new RouteEntity { Id = Guid.NewGuid(), Paths = [path], ServiceId = service.Id });
    }

    /// <summary>Applies the entities as a new table version and returns the pooled client of each path's service.</summary>
    private UpstreamClient[] Build(GatewayEntity[] upserts, params string[] paths)
    {
        var snapshot = _table.Apply(upserts);
        return [.. paths.Select(p => snapshot.Matcher.Match("GET", "any", p, new HeaderDictionary())!.Value.Route.Service!.Client)];
    }

    [Fact]
    public void Services_with_the_same_timeout_and_tls_policy_share_one_pool_and_an_unrelated_change_keeps_it()
    {
        var ca = Authority();
        var (a, ra) = Service("/a", cas: [ca.Id]);
        var (b, rb) = Service("/b", protocol: "http");
        var (c, rc) = Service("/c", cas: [ca.Id]);
        var first = Build([ca, a, ra, b, rb, c, rc], "/a", "/b", "/c");
        Assert.Same(first[0], first[2]); // same CA, same pool
        Assert.NotSame(first[0], first[1]);

        var (d, rd) = Service("/d", protocol: "http");
        var second = Build([d, rd, a with { Retries = 1 }], "/a", "/b", "/c", "/d"); // a new service, an edited one: no TLS change
        Assert.Same(first[0], second[0]);
        Assert.Same(first[1], second[1]);
        Assert.Same(first[1], second[3]);
        Assert.False(first[0].IsDisposed);
        Assert.Equal(2, Clients.Count);
    }

    [Fact]
    public void A_changed_ca_certificate_gives_a_new_pool_and_the_old_one_is_disposed_once_unused()
    {
        var ca = Authority();
        var (a, ra) = Service("/a", cas: [ca.Id]);
        var old = Build([ca, a, ra], "/a")[0];

        var renewed = Build([Authority(ca.Id)], "/a")[0]; // the same id, another certificate
        Assert.NotSame(old, renewed);
        Assert.True(old.IsDisposed);
        Assert.False(renewed.IsDisposed);
        Assert.Equal(1, Clients.Count);
    }

    [Fact]
    public void A_retired_pool_is_disposed_only_when_its_last_request_ends()
    {
        var ca = Authority();
        var (a, ra) = Service("/a", cas: [ca.Id]);
        var old = Build([ca, a, ra], "/a")[0];
        var inFlight = Clients.Lease(old);
        Assert.Same(old, inFlight);

        Build([a with { TlsVerify = false }], "/a");
        Assert.False(old.IsDisposed); // a request still forwards with it
        inFlight.Release();
        Assert.True(old.IsDisposed);
    }

    [Fact]
    public void A_request_from_an_older_snapshot_whose_pool_is_gone_gets_a_live_pool_for_the_same_policy()
    {
        var (a, ra) = Service("/a", verify: false);
        var old = Build([a, ra], "/a")[0];
        Build([a with { TlsVerify = true }], "/a");
        Assert.True(old.IsDisposed);

        var leased = Clients.Lease(old);
        Assert.NotSame(old, leased);
        Assert.False(leased.IsDisposed);
        Assert.Equal(old.Key, leased.Key);
        leased.Release();
    }

    [Fact]
    public void Tls_fields_that_cannot_change_a_handshake_do_not_split_pools()
    {
        var ca1 = Authority();
        var ca2 = Authority();
        var directory = CertificateDirectory.Build(
            new Dictionary<Guid, CertificateEntity>(), [], new Dictionary<Guid, CaCertificateEntity> { [ca1.Id] = ca1, [ca2.Id] = ca2 }, CertificateDirectory.Empty);
        UpstreamTlsPolicy Policy(string protocol = "https", Guid[]? cas = null, bool? verify = null, int? depth = null) =>
            UpstreamTlsPolicy.For(Service("/x", protocol, cas, verify, depth).Service, directory);

        Assert.Equal(Policy(cas: [ca1.Id, ca2.Id]), Policy(cas: [ca2.Id, ca1.Id])); // order of the CAs
        Assert.Equal(Policy(verify: false), Policy(verify: false, cas: [ca1.Id], depth: 2)); // nothing is verified anyway
        Assert.Same(UpstreamTlsPolicy.Default, Policy(protocol: "http", cas: [ca1.Id], verify: false)); // no handshake at all
        Assert.Same(UpstreamTlsPolicy.Default, Policy(protocol: "grpc", depth: 1));
        Assert.Same(UpstreamTlsPolicy.Default, Policy(protocol: "grpcs"));
        Assert.NotEqual(Policy(cas: [ca1.Id]), Policy(cas: [ca2.Id]));
        Assert.NotEqual(Policy(depth: 1), Policy(depth: 2));
        Assert.NotEqual(Policy(), Policy(cas: [Guid.NewGuid()])); // CAs all gone: trusts nothing, not the system's roots
    }
}
