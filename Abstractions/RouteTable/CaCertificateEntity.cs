namespace Turnpike.RouteTable;

/// <summary>
/// A certificate authority trusted to verify upstreams (Kong's <c>ca_certificates</c>): a PEM certificate and the
/// hex SHA-256 of its DER bytes (<c>cert_digest</c>, unique), named by services' <c>ca_certificates</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CaCertificateEntity : GatewayEntity
{
    [Id(0)] public string Cert { get; init; } = "";
    [Id(1)] public string CertDigest { get; init; } = "";

    public override EntityKind Kind => EntityKind.CaCertificate;

    public override string? UniqueName => CertDigest;
}
