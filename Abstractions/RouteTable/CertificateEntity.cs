namespace Turnpike.RouteTable;

/// <summary>
/// A TLS certificate with its private key (Kong's <c>certificates</c>): PEM, leaf first then the chain, and
/// optionally a second pair of the other key type (<c>cert_alt</c>/<c>key_alt</c>: an ECDSA and an RSA
/// certificate for the same names). Edges serve it for the names its SNIs list.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CertificateEntity : GatewayEntity
{
    [Id(0)] public string Cert { get; init; } = "";
    [Id(1)] public string Key { get; init; } = "";
    [Id(2)] public string? CertAlt { get; init; }
    [Id(3)] public string? KeyAlt { get; init; }

    public override EntityKind Kind => EntityKind.Certificate;

    public override string? UniqueName => null;
}
