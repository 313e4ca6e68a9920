namespace Turnpike.RouteTable;

/// <summary>A set of matching rules that sends requests to a service (Kong's <c>routes</c> entity).</summary>
[GenerateSerializer, Immutable]
public sealed record RouteEntity : GatewayEntity
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string[] Protocols { get; init; } = ["http", "https"];
    [Id(2)] public string[]? Methods { get; init; }
    [Id(3)] public string[]? Hosts { get; init; }
    [Id(4)] public string[]? Paths { get; init; }

    /// <summary>Header name (lower case) to accepted values; a value starting with <c>~*</c> is a regex.</summary>
    [Id(5)] public Dictionary<string, string[]>? Headers { get; init; }
    [Id(6)] public int HttpsRedirectStatusCode { get; init; } = 426;
    [Id(7)] public int RegexPriority { get; init; }
    [Id(8)] public bool StripPath { get; init; } = true;
    [Id(9)] public string PathHandling { get; init; } = "v0";
    [Id(10)] public bool PreserveHost { get; init; }
    [Id(11)] public bool RequestBuffering { get; init; } = true;
    [Id(12)] public bool ResponseBuffering { get; init; } = true;
    [Id(13)] public Guid? ServiceId { get; init; }

    public override EntityKind Kind => EntityKind.Route;
    public override string? UniqueName => Name;
}
