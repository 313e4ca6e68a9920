using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>upstreams</c> schema: a unique hostname-like name, the balancing algorithm, slots. Only
/// round-robin balancing is built so far; the other algorithms and health checks are refused with a clear
/// message rather than accepted and silently not done.
/// </summary>
internal sealed class UpstreamSchema : IEntitySchema
{
    private static readonly string[] Algorithms = ["round-robin", "consistent-hashing", "least-connections", "latency"];

    public EntityKind Kind => EntityKind.Upstream;

    public string NameField => "name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var name = r.String("name", required: true);
        if (name is not null && FieldRules.Hostname(name) is { } bad)
        {
            r.Error("name", bad);
        }

        var algorithm = r.String("algorithm") ?? "round-robin";
        if (!Algorithms.Contains(algorithm))
        {
            r.Error("algorithm", $"expected one of: {string.Join(", ", Algorithms)}");
        }
        else if (algorithm != "round-robin")
        {
            r.Error("algorithm", $"'{algorithm}' is not supported yet: only round-robin");
        }

        foreach (var unsupported in new[] { "hash_on", "hash_fallback" })
        {
            if (r.String(unsupported) is { } value && value != "none")
            {
                r.Error(unsupported, "not supported yet: only none");
            }
        }

        if (r.Raw("healthchecks") is not null)
        {
            r.Error("healthchecks", "not supported yet");
        }

        var upstream = new UpstreamEntity
        {
            Id = r.Id("id") ?? Guid.Empty,
            CreatedAt = r.Integer("created_at", 0, int.MaxValue) ?? 0,
            Name = name ?? "",
            Algorithm = algorithm,
            Slots = r.Integer("slots", 10, 65536) ?? 10_000,
            Tags = r.Strings("tags", FieldRules.Tag),
        };
        r.Integer("updated_at", 0, int.MaxValue);
        r.RejectUnknown();
        return errors.Count == 0 ? upstream : null;
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var u = (UpstreamEntity)entity;
        var json = new JsonObject
        {
            ["id"] = u.Id.ToString(),
            ["name"] = u.Name,
            ["algorithm"] = u.Algorithm,
            ["hash_on"] = "none",
            ["hash_fallback"] = "none",
            ["slots"] = u.Slots,
        };
        JsonFields.WriteCommon(json, u);
        return json;
    }
}
