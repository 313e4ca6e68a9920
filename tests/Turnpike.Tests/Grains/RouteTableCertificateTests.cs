using Orleans;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>
/// Certificates, SNIs and CA certificates in the route table grain: uniqueness, references, the cascade and the refusals.
/// The grain does not parse PEM (the admin API's schemas did), so placeholders stand in for it here.
/// </summary>
[Collection(RouteTableClusterCollection.Name)]
public sealed class RouteTableCertificateTests(RouteTableClusterFixture fixture)
{
    private readonly IRouteTableGrain _table = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>(Guid.NewGuid().ToString());

    private static CertificateEntity Certificate() => new() { Id = Guid.NewGuid(), Cert = "cert", Key = "key" };

    private static SniEntity Sni(string name, Guid certificateId) => new() { Id = Guid.NewGuid(), Name = name, CertificateId = certificateId };

    private static CaCertificateEntity Ca(string digest) => new() { Id = Guid.NewGuid(), Cert = "ca", CertDigest = digest };

    private static ServiceEntity Service(Guid? clientCertificate = null, params Guid[] authorities) => new()
    {
        Id = Guid.NewGuid(),
        Name = "s" + Guid.NewGuid().ToString("N")[..8],
        Protocol = "https",
        Host = "h.internal",
        Port = 443,
        ClientCertificateId = clientCertificate,
        CaCertificates = authorities.Length > 0 ? authorities : null,
    };

    [Fact]
    public async Task Certificate_is_found_by_id_and_by_any_of_its_sni_names_in_any_case()
    {
        var certificate = Certificate();
        var result = await _table.Write(RouteTableWrite.Upsert(certificate, Sni("api.example.com", certificate.Id), Sni("*.example.com", certificate.Id)));
        Assert.True(result.Succeeded, result.Error?.Message);

        Assert.Equal(certificate.Id, (await _table.Find(EntityKind.Certificate, certificate.Id.ToString()))?.Id);
        Assert.Equal(certificate.Id, (await _table.Find(EntityKind.Certificate, "API.example.com"))?.Id);
        Assert.Equal(certificate.Id, (await _table.Find(EntityKind.Certificate, "*.example.com"))?.Id);
        Assert.Null(await _table.Find(EntityKind.Certificate, "other.example.com"));
        Assert.Equal("api.example.com", Assert.IsType<SniEntity>(await _table.Find(EntityKind.Sni, "Api.Example.Com")).Name);
        var listed = await _table.List(new EntityQuery { Kind = EntityKind.Sni, CertificateId = certificate.Id });
        Assert.Equal(2, listed.Items.Length);
    }

    [Fact]
    public async Task Sni_name_taken_by_another_certificate_is_refused_with_409_and_nothing_changes()
    {
        var first = Certificate();
        await _table.Write(RouteTableWrite.Upsert(first, Sni("a.example.com", first.Id)));
        var second = Certificate();
        var result = await _table.Write(RouteTableWrite.Upsert(second, Sni("a.example.com", second.Id)));

        Assert.Equal((AdminError.UniqueViolationCode, 409), (result.Error!.Code, result.Error.HttpStatus));
        Assert.Equal("UNIQUE violation detected on '{name=\"a.example.com\"}'", result.Error.Message);
        Assert.Null(await _table.Find(EntityKind.Certificate, second.Id.ToString())); // the certificate of the failed write is not kept either
        Assert.Equal(first.Id, (await _table.Find(EntityKind.Certificate, "a.example.com"))?.Id);
    }

    [Fact]
    public async Task Sni_of_a_missing_certificate_is_a_foreign_key_violation()
    {
        var missing = Guid.NewGuid();
        var result = await _table.Write(RouteTableWrite.Upsert(Sni("x.example.com", missing)));
        Assert.Equal(AdminError.ForeignKeyViolationCode, result.Error!.Code);
        Assert.Equal($"the foreign key '{{id=\"{missing}\"}}' does not reference an existing 'certificates' entity.", result.Error.Message);
    }

    [Fact]
    public async Task Ca_certificate_digest_is_unique()
    {
        await _table.Write(RouteTableWrite.Upsert(Ca("00ff")));
        var result = await _table.Write(RouteTableWrite.Upsert(Ca("00ff")));
        Assert.Equal((409, "UNIQUE violation detected on '{cert_digest=\"00ff\"}'"), (result.Error!.HttpStatus, result.Error.Message));
    }

    [Fact]
    public async Task Deleting_a_certificate_deletes_its_snis_in_the_same_write()
    {
        var certificate = Certificate();
        var sni = Sni("gone.example.com", certificate.Id);
        var kept = Certificate();
        var other = Sni("kept.example.com", kept.Id);
        await _table.Write(RouteTableWrite.Upsert(certificate, sni, kept, other));
        var before = (await _table.GetChangesSince(0)).Version;

        var result = await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Certificate, certificate.Id)));
        Assert.True(result.Succeeded);
        Assert.Equal(before + 1, result.Version);
        Assert.Null(await _table.Find(EntityKind.Sni, sni.Id.ToString()));
        Assert.NotNull(await _table.Find(EntityKind.Sni, other.Id.ToString()));
        var delta = await _table.GetChangesSince(before);
        Assert.Contains(new EntityRef(EntityKind.Sni, sni.Id), delta.Deletes); // edges are told of the cascade too
    }

    [Fact]
    public async Task Service_naming_a_missing_client_certificate_or_ca_certificate_is_refused()
    {
        var missing = Guid.NewGuid();
        var noClient = await _table.Write(RouteTableWrite.Upsert(Service(clientCertificate: missing)));
        Assert.Equal(AdminError.ForeignKeyViolationCode, noClient.Error!.Code);
        Assert.Equal(missing.ToString(), noClient.Error.Fields!["client_certificate.id"]);

        var ca = Ca("aa");
        await _table.Write(RouteTableWrite.Upsert(ca));
        var noCa = await _table.Write(RouteTableWrite.Upsert(Service(null, ca.Id, missing)));
        Assert.Equal($"the foreign key '{{id=\"{missing}\"}}' does not reference an existing 'ca_certificates' entity.", noCa.Error!.Message);
        Assert.Equal(missing.ToString(), noCa.Error.Fields!["ca_certificates[1]"]);
        Assert.Empty((await _table.List(new EntityQuery { Kind = EntityKind.Service })).Items);
    }

    [Fact]
    public async Task Deleting_a_certificate_or_ca_certificate_a_service_uses_is_refused_until_the_service_lets_go()
    {
        var certificate = Certificate();
        var ca = Ca("bb");
        var service = Service(certificate.Id, ca.Id);
        Assert.True((await _table.Write(RouteTableWrite.Upsert(certificate, Sni("mtls.example.com", certificate.Id), ca, service))).Succeeded);

        var refused = await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Certificate, certificate.Id)));
        Assert.Equal("an existing 'services' entity references this 'certificates' entity", refused.Error!.Message);
        Assert.NotNull(await _table.Find(EntityKind.Certificate, "mtls.example.com")); // its SNIs stayed too

        var caRefused = await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.CaCertificate, ca.Id)));
        Assert.Equal((AdminError.ReferencedByOthersCode, 400), (caRefused.Error!.Code, caRefused.Error.HttpStatus));
        Assert.Equal($"ca certificate {ca.Id} is still referenced by services (id = {service.Id})", caRefused.Error.Message);

        // One write that changes the service and deletes what it used is fine: references are checked on the result.
        var released = await _table.Write(new RouteTableWrite
        {
            Upserts = [service with { ClientCertificateId = null, CaCertificates = null }],
            Deletes = [new EntityRef(EntityKind.Certificate, certificate.Id), new EntityRef(EntityKind.CaCertificate, ca.Id)],
        });
        Assert.True(released.Succeeded, released.Error?.Message);
    }

    [Fact]
    public async Task Replace_all_covers_certificates_and_survives_reactivation()
    {
        var old = Certificate();
        await _table.Write(RouteTableWrite.Upsert(old, Sni("old.example.com", old.Id)));

        var certificate = Certificate();
        var ca = Ca("cc");
        var replaced = await _table.Write(new RouteTableWrite
        {
            ReplaceAll = true,
            Upserts = [certificate, Sni("new.example.com", certificate.Id), ca, Service(certificate.Id, ca.Id)],
        });
        Assert.True(replaced.Succeeded, replaced.Error?.Message);
        Assert.Null(await _table.Find(EntityKind.Certificate, old.Id.ToString()));
        Assert.Null(await _table.Find(EntityKind.Sni, "old.example.com"));

        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero); // returns once the collected activations have deactivated
        Assert.Equal(certificate.Id, (await _table.Find(EntityKind.Certificate, "new.example.com"))?.Id);
        Assert.NotNull(await _table.Find(EntityKind.CaCertificate, "cc"));
        Assert.Single((await _table.List(new EntityQuery { Kind = EntityKind.CaCertificate })).Items);
    }
}
