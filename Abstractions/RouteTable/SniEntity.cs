namespace Turnpike.RouteTable;

/// <summary>
/// A server name a certificate is served for (Kong's <c>snis</c>): an exact host, or a wildcard
/// (<c>*.example.com</c>, <c>example.*</c>). Unique across the table; deleted with its certificate.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SniEntity : GatewayEntity
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public Guid CertificateId { get; init; }

    public override EntityKind Kind => EntityKind.Sni;

    public override string? UniqueName => Name;
}
