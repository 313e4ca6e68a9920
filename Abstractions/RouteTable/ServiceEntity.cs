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

    public override EntityKind Kind => EntityKind.Service;
    public override string? UniqueName => Name;
}
