using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>upstreams</c> schema: a unique hostname-like name, the balancing algorithm (round-robin,
/// consistent-hashing on consumer, ip, header, cookie or path, least-connections, latency), slots, health checks.
/// What is not built yet (TCP or HTTPS probes) is refused with a message saying so.
/// </summary>
internal sealed class UpstreamSchema : EntitySchema<UpstreamEntity>
{
    private static readonly string[] Algorithms = ["round-robin", "consistent-hashing", "least-connections", "latency"];
    private static readonly string[] HashSources = ["none", "consumer", "ip", "header", "cookie", "path"];

    private static readonly ConfigField<string?> Name = Field.String("name", required: true).Check(n => FieldRules.Hostname(n!)).Described("unique", true);
    private static readonly ConfigField<string> Algorithm = Field.OneOf("algorithm", Algorithms).Default("round-robin");
    private static readonly ConfigField<string> HashOn = Field.OneOf("hash_on", HashSources).Default("none");
    private static readonly ConfigField<string> HashFallback = Field.OneOf("hash_fallback", HashSources).Default("none");
    private static readonly ConfigField<string?> HashOnHeader = Field.HeaderName("hash_on_header");
    private static readonly ConfigField<string?> HashFallbackHeader = Field.HeaderName("hash_fallback_header");
    private static readonly ConfigField<string?> HashOnCookie = Field.String("hash_on_cookie");
    private static readonly ConfigField<string> HashOnCookiePath = Field.String("hash_on_cookie_path").Default("/")
        .Check(p => p.StartsWith('/') ? null : "should start with: /");

    private static readonly ConfigField<int> Slots = Field.Integer("slots", 10, 65536).Default(10_000);
    private static readonly ConfigField<string?> HostHeader = Field.String("host_header").Check(h => FieldRules.Hostname(h!));
    private static readonly ConfigField<JsonObject> Healthchecks = Field.StoredRecord("healthchecks", Upstreams.HealthCheckSettings.Schema);

    /// <summary>What each hashing source needs, and the fallbacks that cannot apply (Kong's conditional checks).</summary>
    private static readonly ConfigCheck Hashing = new((c, r) =>
    {
        var (hashOn, hashFallback) = (c.Get(HashOn), c.Get(HashFallback));
        if (hashOn == "header" && string.IsNullOrEmpty(c.Get(HashOnHeader)))
        {
            r.Error("hash_on_header", "required field missing");
        }

        if (hashFallback == "header" && string.IsNullOrEmpty(c.Get(HashFallbackHeader)))
        {
            r.Error("hash_fallback_header", "required field missing");
        }

        if ((hashOn == "cookie" || hashFallback == "cookie") && string.IsNullOrEmpty(c.Get(HashOnCookie)))
        {
            r.Error("hash_on_cookie", "required field missing");
        }

        if (hashOn == "cookie" && hashFallback != "none")
        {
            r.Error("hash_fallback", "must be 'none' when 'hash_on' is 'cookie'"); // a missing cookie is set, so nothing falls back
        }

        if (hashOn == "none" && hashFallback != "none")
        {
            r.Error("hash_fallback", "must be 'none' when 'hash_on' is 'none'");
        }
    });

    public UpstreamSchema()
        : base([Name, Algorithm, HashOn, HashFallback, HashOnHeader, HashFallbackHeader, HashOnCookie, HashOnCookiePath, Slots, HostHeader, Healthchecks, Hashing])
    {
    }

    public override EntityKind Kind => EntityKind.Upstream;

    public override string NameField => "name";

    public override JsonObject Write(GatewayEntity entity)
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

    protected override UpstreamEntity Bind(ConfigValues values) => new()
    {
        Name = values.Get(Name)!,
        Algorithm = values.Get(Algorithm),
        Slots = values.Get(Slots),
        HashOn = values.Get(HashOn),
        HashFallback = values.Get(HashFallback),
        HashOnHeader = values.Get(HashOnHeader),
        HashFallbackHeader = values.Get(HashFallbackHeader),
        HashOnCookie = values.Get(HashOnCookie),
        HashOnCookiePath = values.Get(HashOnCookiePath),
        HostHeader = values.Get(HostHeader),
        Healthchecks = values.Get(Healthchecks).ToJsonString(),
    };
}
