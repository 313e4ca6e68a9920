namespace Turnpike.RouteTable;

/// <summary>A configured plugin instance (Kong's <c>plugins</c> entity), scoped by its foreign keys.</summary>
[GenerateSerializer, Immutable]
public sealed record PluginEntity : GatewayEntity
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? InstanceName { get; init; }
    [Id(2)] public Guid? ServiceId { get; init; }
    [Id(3)] public Guid? RouteId { get; init; }
    [Id(4)] public Guid? ConsumerId { get; init; }

    /// <summary>The plugin's configuration as a JSON object, defaults filled in by the plugin's schema.</summary>
    [Id(5)] public string Config { get; init; } = "{}";
    [Id(6)] public string[] Protocols { get; init; } = ["grpc", "grpcs", "http", "https"];
    [Id(7)] public bool Enabled { get; init; } = true;

    public override EntityKind Kind => EntityKind.Plugin;
    public override string? UniqueName => InstanceName;
}
