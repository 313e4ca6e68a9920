using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Kong's declarative format as a table: every kind, where it nests, how an entity without an id gets a stable one,
/// and what it references. <see cref="DeclarativeConfig"/> reads and writes files by walking it; the id rules are all here.
/// Top-level kinds are read and written in this order, and each entity before what nests under it. The credential kinds
/// the plugins bring (<see cref="EntitySchemas.Credentials"/>) all nest under consumers by one rule (<see cref="Credential"/>).
/// </summary>
internal static class DeclarativeKinds
{
    /// <summary>A plugin is unique by its name, scope and instance name, so those key its id.</summary>
    private static readonly DeclarativeIdRule PluginId = new(
        "plugins",
        static (json, _) => $"{json["name"]}|{json["service"]?["id"]}|{json["route"]?["id"]}|{json["instance_name"]}"
            + (json["consumer"]?["id"] is { } consumer ? $"|{consumer}" : ""),
        Fallback: false);

    /// <summary>The table for the registered kinds: the gateway's own, and under consumers each credential kind.</summary>
    public static IReadOnlyList<DeclarativeKind> Root(EntitySchemas schemas) =>
    [
        new()
        {
            Field = "services", Kind = EntityKind.Service, Id = DeclarativeIdRule.ByName("services"),
            NameOf = static s => s["name"]?.ToString(),
            References = [DeclarativeReference.ById("client_certificate")],
            Order = static e => e.Cast<ServiceEntity>().OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id),
            AlwaysWritten = true,
            Children =
            [
                new()
                {
                    Field = "routes", Kind = EntityKind.Route, Id = DeclarativeIdRule.ByName("routes"),
                    ParentField = "service", ParentOf = static r => ((RouteEntity)r).ServiceId,
                    NameOf = static r => r["name"]?.ToString(),
                    Children = [Plugins(parentField: "route", parentOf: static p => p.RouteId, holds: static p => p.RouteId is not null && p.ServiceId is null)],
                },
                Plugins(parentField: "service", parentOf: static p => p.ServiceId, holds: static p => p.RouteId is null && p.ServiceId is not null),
            ],
        },
        // Routes without a service. Plugins do not nest under them (on export a plugin of such a route is not written).
        new()
        {
            Field = "routes", Kind = EntityKind.Route, Id = DeclarativeIdRule.ByName("routes"),
            Holds = static r => ((RouteEntity)r).ServiceId is null,
            NameOf = static r => r["name"]?.ToString(),
            References = [DeclarativeReference.ByName("service", "services")],
        },
        new()
        {
            // Consumers have no name: the username, else the custom id, keys theirs.
            Field = "consumers", Kind = EntityKind.Consumer,
            Id = new("consumers", static (c, _) => DeclarativeIdRule.Text(c, "username") ?? c["custom_id"]?.ToString(), Fallback: true),
            NameOf = static c => DeclarativeIdRule.Text(c, "username"),
            Order = static e => e.Cast<ConsumerEntity>().OrderBy(c => c.Username ?? c.CustomId, StringComparer.Ordinal).ThenBy(c => c.Id),
            Children =
            [
                Plugins(parentField: "consumer", parentOf: static p => p.ConsumerId, holds: static p => p.ConsumerId is not null && p.ServiceId is null && p.RouteId is null),
                .. schemas.Credentials.Select(Credential),
            ],
        },
        new()
        {
            Field = "upstreams", Kind = EntityKind.Upstream, Id = DeclarativeIdRule.ByName("upstreams"),
            Order = static e => e.Cast<UpstreamEntity>().OrderBy(u => u.Name, StringComparer.Ordinal),
            Children =
            [
                new()
                {
                    // A target is unique by its address within its upstream.
                    Field = "targets", Kind = EntityKind.Target,
                    Id = new("targets", static (t, upstream) => DeclarativeIdRule.Text(t, "target") is { } target ? $"{upstream}:{target}" : null, Fallback: false),
                    ParentField = "upstream", ParentOf = static t => ((TargetEntity)t).UpstreamId,
                    Order = static e => e.Cast<TargetEntity>().OrderBy(t => t.Target, StringComparer.Ordinal),
                },
            ],
        },
        new()
        {
            Field = "certificates", Kind = EntityKind.Certificate, Id = ByContent("certificates"),
            Order = static e => e.OrderBy(c => c.Id),
            HasSecrets = true,
            Children =
            [
                new()
                {
                    // SNI names are case-insensitive, so the id is derived from the lower-cased name.
                    Field = "snis", Kind = EntityKind.Sni, Shorthand = "name",
                    Id = new("snis", static (s, _) => DeclarativeIdRule.Text(s, "name")?.ToLowerInvariant(), Fallback: false),
                    ParentField = "certificate", ParentOf = static s => ((SniEntity)s).CertificateId,
                    Order = static e => e.Cast<SniEntity>().OrderBy(s => s.Name, StringComparer.Ordinal),
                },
            ],
        },
        new()
        {
            Field = "ca_certificates", Kind = EntityKind.CaCertificate, Id = ByContent("ca_certificates"),
            Order = static e => e.Cast<CaCertificateEntity>().OrderBy(c => c.CertDigest, StringComparer.Ordinal),
        },
        // Global plugins and plugins on a service and a route together: no single parent to nest under.
        new()
        {
            Field = "plugins", Kind = EntityKind.Plugin, Id = PluginId,
            Holds = static e => e is PluginEntity p && p.ServiceId is null == p.RouteId is null && !(p.ConsumerId is not null && p.ServiceId is null && p.RouteId is null),
            References = [DeclarativeReference.ByName("service", "services"), DeclarativeReference.ByName("route", "routes"), DeclarativeReference.ByName("consumer", "consumers")],
        },
    ];

    private static DeclarativeKind Plugins(string parentField, Func<PluginEntity, Guid?> parentOf, Func<PluginEntity, bool> holds) => new()
    {
        Field = "plugins",
        Kind = EntityKind.Plugin,
        Id = PluginId,
        ParentField = parentField,
        ParentOf = e => parentOf((PluginEntity)e),
        Holds = e => holds((PluginEntity)e),
    };

    /// <summary>
    /// A consumer's credential, listed as its table name and unique by its schema's name field within the consumer (the key,
    /// the group, the username), which keys its id.
    /// </summary>
    private static DeclarativeKind Credential(ICredentialSchema schema)
    {
        var field = schema.Kind.TableName();
        var naturalKey = schema.NameField;
        return new()
        {
            Field = field,
            Kind = schema.Kind,
            Id = new(field, (json, consumer) => DeclarativeIdRule.Text(json, naturalKey) is { } key ? $"{consumer}:{key}" : null, Fallback: false),
            ParentField = "consumer",
            ParentOf = static e => ((IConsumerScopedEntity)e).ConsumerId,
        };
    }

    /// <summary>Certificates have no name: their certificate's digest keys the id.</summary>
    private static DeclarativeIdRule ByContent(string table) =>
        new(table, static (json, _) => DeclarativeIdRule.Text(json, "cert") is { } pem ? CertificatePem.DigestOf(pem) : null, Fallback: true);
}
