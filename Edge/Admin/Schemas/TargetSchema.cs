using System.Globalization;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>targets</c> schema: an upstream, <c>host[:port]</c> (port 8000 when omitted), unique per upstream, and a weight.</summary>
internal sealed class TargetSchema : EntitySchema<TargetEntity>
{
    private static readonly ConfigField<Guid?> Upstream = Field.Foreign("upstream", EntityKind.Upstream.TableName(), required: true);
    private static readonly ConfigField<string?> Target = Field.String("target", required: true)
        .Check(t => Normalize(t!) is null ? "Invalid target; not a valid hostname or ip address" : null);

    private static readonly ConfigField<int> Weight = Field.Integer("weight", 0, 65535).Default(100);

    public TargetSchema()
        : base([Upstream, Target, Weight])
    {
    }

    public override EntityKind Kind => EntityKind.Target;

    public override string NameField => "target";

    public override string LookupKey(string key, Guid? parentId) =>
        parentId is { } upstreamId && !EntityIds.TryParse(key, out _) ? TargetEntity.NameOf(upstreamId, Normalize(key) ?? key) : key;

    public override JsonObject Write(GatewayEntity entity)
    {
        var t = (TargetEntity)entity;
        var json = new JsonObject
        {
            ["id"] = t.Id.ToString(),
            ["upstream"] = JsonFields.Reference(t.UpstreamId),
            ["target"] = t.Target,
            ["weight"] = t.Weight,
        };
        JsonFields.WriteCommon(json, t);
        return json;
    }

    protected override TargetEntity Bind(ConfigValues values) => new()
    {
        UpstreamId = values.Get(Upstream) ?? Guid.Empty,
        Target = Normalize(values.Get(Target)!)!,
        Weight = values.Get(Weight),
    };

    /// <summary><c>host:port</c> with Kong's default port 8000 (IPv6 in brackets); null when it is not a host or address with an optional valid port.</summary>
    private static string? Normalize(string target)
    {
        string host;
        string? port = null;
        if (target.StartsWith('['))
        {
            var end = target.IndexOf(']');
            if (end < 0 || (end + 1 < target.Length && target[end + 1] != ':'))
            {
                return null;
            }

            host = target[..(end + 1)];
            port = end + 1 < target.Length ? target[(end + 2)..] : null;
        }
        else if (target.Count(c => c == ':') == 1)
        {
            (host, port) = (target[..target.IndexOf(':')], target[(target.IndexOf(':') + 1)..]);
        }
        else
        {
            host = target.Contains(':', StringComparison.Ordinal) ? $"[{target}]" : target; // a bare IPv6 address
        }

        var number = 8000;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            return null;
        }

        return host.Length > 0 && FieldRules.Hostname(host) is null ? $"{host}:{number}" : null;
    }
}
