namespace Turnpike.RouteTable;

/// <summary>An upstream service (Kong's <c>services</c> entity).</summary>
[GenerateSerializer, Immutable]
public sealed record ServiceEntity : GatewayEntity
{
    public const int DefaultTimeoutMs = 60_000;

    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string Protocol { get; init; } = "http";
    [Id(2)] public string Host { get; init; } = "";
    [Id(3)] public int Port { get; init; } = 80;
    [Id(4)] public string? Path { get; init; }
    [Id(5)] public int Retries { get; init; } = 5;
    [Id(6)] public int ConnectTimeout { get; init; } = DefaultTimeoutMs;
    [Id(7)] public int WriteTimeout { get; init; } = DefaultTimeoutMs;
    [Id(8)] public int ReadTimeout { get; init; } = DefaultTimeoutMs;
    [Id(9)] public bool Enabled { get; init; } = true;

    /// <summary>Whether an <c>https</c>/<c>grpcs</c> upstream's certificate is verified (Kong's <c>tls_verify</c>; null: the edge's default, verify).</summary>
    [Id(10)] public bool? TlsVerify { get; init; }

    /// <summary>The longest certificate chain accepted from the upstream (Kong's <c>tls_verify_depth</c>; null: no limit).</summary>
    [Id(11)] public int? TlsVerifyDepth { get; init; }

    /// <summary>Ids of the <c>ca_certificates</c> trusted for this upstream instead of the system's roots.</summary>
    [Id(12)] public Guid[]? CaCertificates { get; init; }

    /// <summary>Id of the certificate the edge presents to the upstream (mutual TLS).</summary>
    [Id(13)] public Guid? ClientCertificateId { get; init; }

    public override EntityKind Kind => EntityKind.Service;
    public override string? UniqueName => Name;
}
