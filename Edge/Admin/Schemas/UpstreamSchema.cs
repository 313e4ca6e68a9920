using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>upstreams</c> schema: a unique hostname-like name, the balancing algorithm (round-robin,
/// consistent-hashing on consumer, ip, header, cookie or path, least-connections, latency), slots, health checks.
/// What is not built yet (TCP or HTTPS probes) is refused with a message saying so.
/// </summary>
internal sealed class UpstreamSchema : IEntitySchema
{
    private static readonly string[] Algorithms = ["round-robin", "consistent-hashing", "least-connections", "latency"];
    private static readonly string[] HashSources = ["none", "consumer", "ip", "header", "cookie", "path"];

    public EntityKind Kind => EntityKind.Upstream;

    public string NameField => "name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
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

        var hashOn = HashSource(r, "hash_on");
        var hashFallback = HashSource(r, "hash_fallback");
        var hashOnHeader = r.HeaderName("hash_on_header");
        var hashFallbackHeader = r.HeaderName("hash_fallback_header");
        if (hashOn == "header" && string.IsNullOrEmpty(hashOnHeader))
        {
            r.Error("hash_on_header", "required field missing");
        }

        if (hashFallback == "header" && string.IsNullOrEmpty(hashFallbackHeader))
        {
            r.Error("hash_fallback_header", "required field missing");
        }

        var hashOnCookie = r.String("hash_on_cookie");
        var hashOnCookiePath = r.String("hash_on_cookie_path") ?? "/";
        if ((hashOn == "cookie" || hashFallback == "cookie") && string.IsNullOrEmpty(hashOnCookie))
        {
            r.Error("hash_on_cookie", "required field missing");
        }

        if (!hashOnCookiePath.StartsWith('/'))
        {
            r.Error("hash_on_cookie_path", "should start with: /");
        }

        if (hashOn == "cookie" && hashFallback != "none")
        {
            r.Error("hash_fallback", "must be 'none' when 'hash_on' is 'cookie'"); // a missing cookie is set, so nothing falls back
        }

        if (hashOn == "none" && hashFallback != "none")
        {
            r.Error("hash_fallback", "must be 'none' when 'hash_on' is 'none'");
        }

        var hostHeader = r.String("host_header");
        if (hostHeader is not null && FieldRules.Hostname(hostHeader) is { } badHost)
        {
            r.Error("host_header", badHost);
        }

        var healthchecks = Upstreams.HealthCheckSettings.Read(r);

        var upstream = new UpstreamEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Name = name ?? "",
            Algorithm = algorithm,
            Slots = r.Integer("slots", 10, 65536) ?? 10_000,
            HashOn = hashOn,
            HashFallback = hashFallback,
            HashOnHeader = hashOnHeader,
            HashFallbackHeader = hashFallbackHeader,
            HashOnCookie = hashOnCookie,
            HashOnCookiePath = hashOnCookiePath,
            HostHeader = hostHeader,
            Healthchecks = healthchecks.ToJsonString(),
            Tags = r.Strings("tags", FieldRules.Tag),
        };
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
            ["hash_on"] = u.HashOn,
            ["hash_fallback"] = u.HashFallback,
            ["hash_on_header"] = u.HashOnHeader,
            ["hash_fallback_header"] = u.HashFallbackHeader,
            ["hash_on_cookie"] = u.HashOnCookie,
            ["hash_on_cookie_path"] = u.HashOnCookiePath,
            ["slots"] = u.Slots,
            ["host_header"] = u.HostHeader,
            ["healthchecks"] = u.Healthchecks is null ? null : JsonNode.Parse(u.Healthchecks),
        };
        JsonFields.WriteCommon(json, u);
        return json;
    }

    private static string HashSource(FieldReader r, string field)
    {
        var value = r.String(field) ?? "none";
        if (!HashSources.Contains(value))
        {
            r.Error(field, $"expected one of: {string.Join(", ", HashSources)}");
        }

        return value;
    }
}
