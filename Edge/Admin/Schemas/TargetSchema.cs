using System.Globalization;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>targets</c> schema: an upstream, <c>host[:port]</c> (port 8000 when omitted), unique per upstream, and a weight.</summary>
internal sealed class TargetSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.Target;

    public string NameField => "target";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("upstream", EntityKind.Upstream)];

    public string LookupKey(string key, Guid? parentId) =>
        parentId is { } upstreamId && !EntityIds.TryParse(key, out _) ? TargetEntity.NameOf(upstreamId, Normalize(key) ?? key) : key;

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var upstreamId = r.ForeignKey("upstream");
        if (upstreamId is null && !r.Has("upstream"))
        {
            r.Error("upstream", "required field missing");
        }

        var target = r.String("target", required: true);
        var normalized = target is null ? null : Normalize(target);
        if (target is not null && normalized is null)
        {
            r.Error("target", "Invalid target; not a valid hostname or ip address");
        }

        var weight = r.Integer("weight", 0, 65535) ?? 100;
        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();
        return errors.Count > 0 ? null : new TargetEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            UpstreamId = upstreamId ?? Guid.Empty,
            Target = normalized!,
            Weight = weight,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
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
