using Turnpike.Edge.Tls;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>The handshake's certificate lookup: exact, then leading wildcard, then trailing wildcard, then none (the default's turn).</summary>
[Fast]
public sealed class CertificateDirectoryTests
{
    private static readonly Lazy<CertificateEntity[]> Entities = new(() =>
    {
        var ca = TestCertificates.Ca(ecdsa: true);
        return [.. Enumerable.Range(0, 3).Select(i =>
        {
            using var leaf = TestCertificates.Leaf(ca, [$"n{i}.test"], ecdsa: true);
            return new CertificateEntity { Id = Guid.NewGuid(), Cert = leaf.CertPem, Key = leaf.KeyPem };
        })];
    });

    private static (CertificateDirectory Directory, Guid Exact, Guid Leading, Guid Trailing) Build()
    {
        var (exact, leading, trailing) = (Entities.Value[0], Entities.Value[1], Entities.Value[2]);
        SniEntity Sni(string name, CertificateEntity certificate) => new() { Id = Guid.NewGuid(), Name = name, CertificateId = certificate.Id };
        var directory = CertificateDirectory.Build(
            Entities.Value.ToDictionary(e => e.Id),
            [Sni("api.example.com", exact), Sni("*.example.com", leading), Sni("api.example.*", trailing), Sni("www.example.*", trailing), Sni("*.other.org", leading)],
            new Dictionary<Guid, CaCertificateEntity>(),
            CertificateDirectory.Empty);
        return (directory, exact.Id, leading.Id, trailing.Id);
    }

    [Fact]
    public void Exact_name_wins_over_both_wildcards()
    {
        var (directory, exact, _, _) = Build();
        Assert.Equal(exact, directory.ForServerName("api.example.com")?.Entity?.Id);
        Assert.Equal(exact, directory.ForServerName("API.Example.COM")?.Entity?.Id);
    }

    [Fact]
    public void Leading_wildcard_wins_over_trailing_wildcard()
    {
        var (directory, _, leading, _) = Build();
        Assert.Equal(leading, directory.ForServerName("www.example.com")?.Entity?.Id); // "www.example.*" matches too
        Assert.Equal(leading, directory.ForServerName("x.other.org")?.Entity?.Id);
        Assert.Equal(leading, directory.ForServerName(new string('a', 300) + ".other.org")?.Entity?.Id);
    }

    [Fact]
    public void Trailing_wildcard_covers_the_last_label_when_nothing_else_does()
    {
        var (directory, _, _, trailing) = Build();
        Assert.Equal(trailing, directory.ForServerName("api.example.net")?.Entity?.Id);
        Assert.Equal(trailing, directory.ForServerName("WWW.EXAMPLE.io")?.Entity?.Id);
    }

    [Fact]
    public void A_wildcard_covers_exactly_one_label_and_anything_else_falls_to_the_default()
    {
        var (directory, _, _, _) = Build();
        Assert.Null(directory.ForServerName("a.b.example.com")); // "*.example.com" is one label
        Assert.Null(directory.ForServerName("example.com"));
        Assert.Null(directory.ForServerName("api.example.co.uk")); // "api.example.*" is one label
        Assert.Null(directory.ForServerName("nobody.test"));
        Assert.Null(directory.ForServerName("nodots"));
        Assert.Null(directory.ForServerName("trailing."));
        Assert.Null(directory.ForServerName(".leading"));
        Assert.Null(directory.ForServerName(""));
        Assert.Null(directory.ForServerName(null));
        Assert.Null(directory.ForServerName("x." + new string('b', 70_000) + ".org")); // keys longer than the stack buffer
    }
}
