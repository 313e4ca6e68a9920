using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Kong's declarative configuration (<c>_format_version: "3.0"</c>): services with nested routes and plugins,
/// top-level routes and plugins naming their service or route, consumers, upstreams, certificates with nested SNIs,
/// CA certificates. Read as a whole into one table-replacing write, or written out from the table. Entities without
/// an id get one derived from their name (a certificate, which has none, from its digest), so applying the same
/// file twice keeps the same ids.
/// </summary>
internal sealed class DeclarativeConfig(EntitySchemas schemas)
{
    private static readonly string[] FormatVersions = ["1.1", "2.1", "3.0"];
    private static readonly Guid Namespace = new("fd02801f-0957-4a15-a8a1-3dbb25d24f53");

    /// <summary>The credential lists Kong's format nests under a consumer: field, entity kind, and the field that names one.</summary>
    private static readonly (string Field, EntityKind Kind, string NaturalKey)[] CredentialLists =
    [
        ("keyauth_credentials", EntityKind.KeyAuthCredential, "key"),
        ("acls", EntityKind.Acl, "group"),
        ("basicauth_credentials", EntityKind.BasicAuthCredential, "username"),
        ("jwt_secrets", EntityKind.JwtCredential, "key"),
    ];

    public (RouteTableWrite? Write, AdminError? Error) Read(string text)
    {
        JsonNode? root;
        try
        {
            root = YamlJson.Parse(text);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return (null, Invalid(new Dictionary<string, string> { ["@entity"] = "failed parsing declarative configuration: " + ex.Message + (ex.Start.Line > 0 ? $" (line {ex.Start.Line}, column {ex.Start.Column})" : "") }));
        }

        return root is JsonObject obj ? Read(obj) : (null, new AdminError { Message = "expected a declarative configuration", Name = "invalid declarative configuration", Code = AdminError.DeclarativeConfigCode });
    }

    public (RouteTableWrite? Write, AdminError? Error) Read(JsonObject root)
    {
        var errors = new FieldErrors();
        var entities = new List<GatewayEntity>();
        var version = root["_format_version"]?.ToString();
        if (version is null)
        {
            errors.Add("_format_version", "required field missing");
        }
        else if (!FormatVersions.Contains(version))
        {
            errors.Add("_format_version", "expected one of: " + string.Join(", ", FormatVersions));
        }

        foreach (var (key, _) in root)
        {
            if (key is not ("_format_version" or "_transform" or "_comment" or "_workspace" or "services" or "routes" or "plugins" or "consumers" or "upstreams"
                or "certificates" or "ca_certificates"))
            {
                errors.Add(key, "unknown field");
            }
        }

        var serviceIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var routeIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var services = Items(root, "services", errors);
        var pending = new List<(string Path, EntityKind Kind, JsonObject Json)>();
        for (var i = 0; i < services.Count; i++)
        {
            var service = (JsonObject)services[i].DeepClone();
            var path = $"services[{i}]";
            var routes = Items(service, "routes", errors, path + ".");
            var plugins = Items(service, "plugins", errors, path + ".");
            service.Remove("routes");
            service.Remove("plugins");
            if (service["client_certificate"] is JsonValue certificate && certificate.TryGetValue<string>(out var certificateId))
            {
                service["client_certificate"] = new JsonObject { ["id"] = certificateId }; // a file may give a foreign key as its bare id
            }

            var serviceId = AssignId(service, "services");
            if (service["name"]?.ToString() is { } serviceName)
            {
                serviceIds[serviceName] = serviceId;
            }

            pending.Add((path, EntityKind.Service, service));
            for (var j = 0; j < routes.Count; j++)
            {
                var route = (JsonObject)routes[j].DeepClone();
                route["service"] = new JsonObject { ["id"] = serviceId.ToString() };
                var routeId = AssignId(route, "routes");
                if (route["name"]?.ToString() is { } routeName)
                {
                    routeIds[routeName] = routeId;
                }

                var routePlugins = Items(route, "plugins", errors, $"{path}.routes[{j}].");
                route.Remove("plugins");
                pending.Add(($"{path}.routes[{j}]", EntityKind.Route, route));
                for (var k = 0; k < routePlugins.Count; k++)
                {
                    var plugin = (JsonObject)routePlugins[k].DeepClone();
                    plugin["route"] = new JsonObject { ["id"] = routeId.ToString() };
                    pending.Add(($"{path}.routes[{j}].plugins[{k}]", EntityKind.Plugin, plugin));
                }
            }

            for (var j = 0; j < plugins.Count; j++)
            {
                var plugin = (JsonObject)plugins[j].DeepClone();
                plugin["service"] = new JsonObject { ["id"] = serviceId.ToString() };
                pending.Add(($"{path}.plugins[{j}]", EntityKind.Plugin, plugin));
            }
        }

        var topRoutes = Items(root, "routes", errors);
        for (var i = 0; i < topRoutes.Count; i++)
        {
            var route = (JsonObject)topRoutes[i].DeepClone();
            ResolveReference(route, "service", serviceIds, errors, $"routes[{i}].");
            var routeId = AssignId(route, "routes");
            if (route["name"]?.ToString() is { } routeName)
            {
                routeIds[routeName] = routeId;
            }

            pending.Add(($"routes[{i}]", EntityKind.Route, route));
        }

        var consumerIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var consumers = Items(root, "consumers", errors);
        for (var i = 0; i < consumers.Count; i++)
        {
            var consumer = (JsonObject)consumers[i].DeepClone();
            var consumerPlugins = Items(consumer, "plugins", errors, $"consumers[{i}].");
            var credentials = CredentialLists.Select(c => (c.Field, c.Kind, c.NaturalKey, Items: Items(consumer, c.Field, errors, $"consumers[{i}]."))).ToList();
            consumer.Remove("plugins");
            foreach (var list in CredentialLists)
            {
                consumer.Remove(list.Field);
            }
            var username = consumer["username"] is JsonValue u && u.TryGetValue<string>(out var text) ? text : null;
            var consumerId = consumer["id"] is null && (username ?? consumer["custom_id"]?.ToString()) is { } key
                ? AssignDerivedId(consumer, "consumers", key)
                : AssignId(consumer, "consumers");
            if (username is not null)
            {
                consumerIds[username] = consumerId;
            }

            pending.Add(($"consumers[{i}]", EntityKind.Consumer, consumer));
            for (var j = 0; j < consumerPlugins.Count; j++)
            {
                var plugin = (JsonObject)consumerPlugins[j].DeepClone();
                plugin["consumer"] = new JsonObject { ["id"] = consumerId.ToString() };
                pending.Add(($"consumers[{i}].plugins[{j}]", EntityKind.Plugin, plugin));
            }

            foreach (var (field, kind, naturalKey, items) in credentials)
            {
                for (var j = 0; j < items.Count; j++)
                {
                    var credential = (JsonObject)items[j].DeepClone();
                    credential["consumer"] = new JsonObject { ["id"] = consumerId.ToString() };
                    if (credential["id"] is null && credential[naturalKey] is JsonValue k && k.TryGetValue<string>(out var keyText))
                    {
                        AssignDerivedId(credential, field, $"{consumerId}:{keyText}");
                    }

                    pending.Add(($"consumers[{i}].{field}[{j}]", kind, credential));
                }
            }
        }

        var upstreams = Items(root, "upstreams", errors);
        for (var i = 0; i < upstreams.Count; i++)
        {
            var upstream = (JsonObject)upstreams[i].DeepClone();
            var targets = Items(upstream, "targets", errors, $"upstreams[{i}].");
            upstream.Remove("targets");
            var upstreamId = upstream["id"] is null && upstream["name"] is JsonValue n && n.TryGetValue<string>(out var upstreamName)
                ? AssignDerivedId(upstream, "upstreams", upstreamName)
                : AssignId(upstream, "upstreams");
            pending.Add(($"upstreams[{i}]", EntityKind.Upstream, upstream));
            for (var j = 0; j < targets.Count; j++)
            {
                var target = (JsonObject)targets[j].DeepClone();
                target["upstream"] = new JsonObject { ["id"] = upstreamId.ToString() };
                if (target["id"] is null && target["target"] is JsonValue t && t.TryGetValue<string>(out var targetText))
                {
                    AssignDerivedId(target, "targets", $"{upstreamId}:{targetText}");
                }

                pending.Add(($"upstreams[{i}].targets[{j}]", EntityKind.Target, target));
            }
        }

        ReadCertificates(root, errors, pending);

        var topPlugins = Items(root, "plugins", errors);
        for (var i = 0; i < topPlugins.Count; i++)
        {
            var plugin = (JsonObject)topPlugins[i].DeepClone();
            ResolveReference(plugin, "service", serviceIds, errors, $"plugins[{i}].");
            ResolveReference(plugin, "route", routeIds, errors, $"plugins[{i}].");
            ResolveReference(plugin, "consumer", consumerIds, errors, $"plugins[{i}].");
            pending.Add(($"plugins[{i}]", EntityKind.Plugin, plugin));
        }

        foreach (var (path, kind, json) in pending)
        {
            if (kind == EntityKind.Plugin && json["id"] is null)
            {
                var scope = $"{json["name"]}|{json["service"]?["id"]}|{json["route"]?["id"]}|{json["instance_name"]}"
                    + (json["consumer"]?["id"] is { } consumer ? $"|{consumer}" : "");
                json["id"] = DerivedId("plugins", scope).ToString();
            }

            var entityErrors = new FieldErrors();
            if (schemas.For(kind).Read(json, entityErrors, coerce: false) is { } entity)
            {
                entities.Add(entity);
            }

            errors.AddAll(entityErrors, path + ".");
        }

        return errors.Count > 0
            ? (null, Invalid(errors.All))
            : (new RouteTableWrite { ReplaceAll = true, Upserts = [.. entities] }, null);
    }

    /// <param name="withSecrets">False for a caller who may not see private keys: certificates are written without them.</param>
    public JsonObject Export(IEnumerable<GatewayEntity> table, bool withSecrets = true)
    {
        var all = table.ToList();
        var routesByService = all.OfType<RouteEntity>().ToLookup(r => r.ServiceId);
        var pluginsByService = all.OfType<PluginEntity>().Where(p => p.RouteId is null && p.ServiceId is not null).ToLookup(p => p.ServiceId);
        var pluginsByRoute = all.OfType<PluginEntity>().Where(p => p.RouteId is not null && p.ServiceId is null).ToLookup(p => p.RouteId);
        var services = new JsonArray();
        foreach (var service in all.OfType<ServiceEntity>().OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id))
        {
            var json = Clean(schemas.For(EntityKind.Service).Write(service));
            var routes = new JsonArray();
            foreach (var route in routesByService[service.Id])
            {
                var routeJson = Clean(schemas.For(EntityKind.Route).Write(route));
                routeJson.Remove("service");
                AddPlugins(routeJson, pluginsByRoute[route.Id], "route");
                routes.Add(routeJson);
            }

            if (routes.Count > 0)
            {
                json["routes"] = routes;
            }

            AddPlugins(json, pluginsByService[service.Id], "service");
            services.Add(json);
        }

        var root = new JsonObject { ["_format_version"] = "3.0", ["services"] = services };
        var serviceless = new JsonArray([.. routesByService[null].Select(r => (JsonNode)Clean(schemas.For(EntityKind.Route).Write(r)))]);
        if (serviceless.Count > 0)
        {
            root["routes"] = serviceless;
        }

        var pluginsByConsumer = all.OfType<PluginEntity>().Where(p => p.ConsumerId is not null && p.ServiceId is null && p.RouteId is null).ToLookup(p => p.ConsumerId);
        var credentialsByConsumer = all.Where(e => e is IConsumerScopedEntity).ToLookup(e => (((IConsumerScopedEntity)e).ConsumerId, e.Kind));
        var consumers = new JsonArray();
        foreach (var consumer in all.OfType<ConsumerEntity>().OrderBy(c => c.Username ?? c.CustomId, StringComparer.Ordinal).ThenBy(c => c.Id))
        {
            var json = Clean(schemas.For(EntityKind.Consumer).Write(consumer));
            AddPlugins(json, pluginsByConsumer[consumer.Id], "consumer");
            foreach (var (field, kind, _) in CredentialLists)
            {
                var list = new JsonArray();
                foreach (var credential in credentialsByConsumer[(consumer.Id, kind)])
                {
                    var credentialJson = Clean(schemas.For(kind).Write(credential));
                    credentialJson.Remove("consumer");
                    list.Add(credentialJson);
                }

                if (list.Count > 0)
                {
                    json[field] = list;
                }
            }
            consumers.Add(json);
        }

        if (consumers.Count > 0)
        {
            root["consumers"] = consumers;
        }

        var targetsByUpstream = all.OfType<TargetEntity>().ToLookup(t => t.UpstreamId);
        var upstreams = new JsonArray();
        foreach (var upstream in all.OfType<UpstreamEntity>().OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            var json = Clean(schemas.For(EntityKind.Upstream).Write(upstream));
            var targets = new JsonArray();
            foreach (var target in targetsByUpstream[upstream.Id].OrderBy(t => t.Target, StringComparer.Ordinal))
            {
                var targetJson = Clean(schemas.For(EntityKind.Target).Write(target));
                targetJson.Remove("upstream");
                targets.Add(targetJson);
            }

            if (targets.Count > 0)
            {
                json["targets"] = targets;
            }

            upstreams.Add(json);
        }

        if (upstreams.Count > 0)
        {
            root["upstreams"] = upstreams;
        }

        ExportCertificates(root, all, withSecrets);

        var other = all.OfType<PluginEntity>()
            .Where(p => p.ServiceId is null == p.RouteId is null && !(p.ConsumerId is not null && p.ServiceId is null && p.RouteId is null))
            .ToList();
        if (other.Count > 0)
        {
            root["plugins"] = new JsonArray([.. other.Select(p => (JsonNode)Clean(schemas.For(EntityKind.Plugin).Write(p)))]);
        }

        return root;
    }

    /// <summary>
    /// <c>certificates</c>, each with its <c>snis</c> (names, or records with <c>name</c> and <c>tags</c>), and
    /// <c>ca_certificates</c>. Services name both by id (<c>client_certificate</c>, <c>ca_certificates</c>).
    /// </summary>
    private static void ReadCertificates(JsonObject root, FieldErrors errors, List<(string Path, EntityKind Kind, JsonObject Json)> pending)
    {
        var certificates = Items(root, "certificates", errors);
        for (var i = 0; i < certificates.Count; i++)
        {
            var certificate = (JsonObject)certificates[i].DeepClone();
            var path = $"certificates[{i}]";
            var snis = certificate["snis"];
            certificate.Remove("snis");
            var certificateId = AssignContentId(certificate, "certificates");
            pending.Add((path, EntityKind.Certificate, certificate));
            if (snis is null)
            {
                continue;
            }

            if (snis is not JsonArray list)
            {
                errors.Add(path + ".snis", "expected an array");
                continue;
            }

            for (var j = 0; j < list.Count; j++)
            {
                var sni = list[j] switch
                {
                    JsonValue value when value.TryGetValue<string>(out var name) => new JsonObject { ["name"] = name },
                    JsonObject record => (JsonObject)record.DeepClone(),
                    _ => null,
                };
                if (sni is null)
                {
                    errors.Add($"{path}.snis[{j}]", "expected a string or a record");
                    continue;
                }

                sni["certificate"] = new JsonObject { ["id"] = certificateId.ToString() };
                if (sni["id"] is null && sni["name"] is JsonValue n && n.TryGetValue<string>(out var sniName))
                {
                    AssignDerivedId(sni, "snis", sniName.ToLowerInvariant());
                }

                pending.Add(($"{path}.snis[{j}]", EntityKind.Sni, sni));
            }
        }

        var authorities = Items(root, "ca_certificates", errors);
        for (var i = 0; i < authorities.Count; i++)
        {
            var authority = (JsonObject)authorities[i].DeepClone();
            AssignContentId(authority, "ca_certificates");
            pending.Add(($"ca_certificates[{i}]", EntityKind.CaCertificate, authority));
        }
    }

    private void ExportCertificates(JsonObject root, List<GatewayEntity> all, bool withSecrets)
    {
        var snisByCertificate = all.OfType<SniEntity>().ToLookup(s => s.CertificateId);
        var certificates = new JsonArray();
        foreach (var certificate in all.OfType<CertificateEntity>().OrderBy(c => c.Id))
        {
            var json = Clean(schemas.For(EntityKind.Certificate).Write(certificate));
            if (!withSecrets)
            {
                foreach (var field in schemas.For(EntityKind.Certificate).SecretFields)
                {
                    json.Remove(field);
                }
            }

            var snis = new JsonArray();
            foreach (var sni in snisByCertificate[certificate.Id].OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var sniJson = Clean(schemas.For(EntityKind.Sni).Write(sni));
                sniJson.Remove("certificate");
                snis.Add(sniJson);
            }

            if (snis.Count > 0)
            {
                json["snis"] = snis;
            }

            certificates.Add(json);
        }

        if (certificates.Count > 0)
        {
            root["certificates"] = certificates;
        }

        var authorities = new JsonArray([.. all.OfType<CaCertificateEntity>().OrderBy(c => c.CertDigest, StringComparer.Ordinal)
            .Select(c => (JsonNode)Clean(schemas.For(EntityKind.CaCertificate).Write(c)))]);
        if (authorities.Count > 0)
        {
            root["ca_certificates"] = authorities;
        }
    }

    private void AddPlugins(JsonObject owner, IEnumerable<PluginEntity> plugins, string scopeField)
    {
        var list = new JsonArray();
        foreach (var plugin in plugins)
        {
            var json = Clean(schemas.For(EntityKind.Plugin).Write(plugin));
            json.Remove(scopeField);
            list.Add(json);
        }

        if (list.Count > 0)
        {
            owner["plugins"] = list;
        }
    }

    /// <summary>Drops nulls and timestamps, which a declarative file does not carry.</summary>
    private static JsonObject Clean(JsonObject json)
    {
        foreach (var key in json.Where(p => p.Value is null || p.Key is "created_at" or "updated_at").Select(p => p.Key).ToList())
        {
            json.Remove(key);
        }

        return json;
    }

    private static List<JsonObject> Items(JsonObject owner, string field, FieldErrors errors, string prefix = "")
    {
        var items = new List<JsonObject>();
        switch (owner[field])
        {
            case null:
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonObject item)
                    {
                        items.Add(item);
                    }
                    else
                    {
                        errors.Add($"{prefix}{field}[{i}]", "expected a record");
                    }
                }

                break;
            default:
                errors.Add(prefix + field, "expected an array");
                break;
        }

        return items;
    }

    /// <summary>A reference by name (<c>service: billing</c> or <c>service: {name: billing}</c>) becomes <c>{id}</c>.</summary>
    private static void ResolveReference(JsonObject json, string field, Dictionary<string, Guid> ids, FieldErrors errors, string prefix)
    {
        var name = json[field] switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) && !EntityIds.TryParse(text, out _) => text,
            JsonObject { } obj when obj["id"] is null && obj["name"] is JsonValue n => n.ToString(),
            _ => null,
        };
        if (json[field] is JsonValue idValue && idValue.TryGetValue<string>(out var idText) && EntityIds.TryParse(idText, out _))
        {
            json[field] = new JsonObject { ["id"] = idText };
        }

        if (name is null)
        {
            return;
        }

        if (ids.TryGetValue(name, out var id))
        {
            json[field] = new JsonObject { ["id"] = id.ToString() };
        }
        else
        {
            errors.Add(prefix + field, $"could not find {field} '{name}'");
            json.Remove(field);
        }
    }

    private static Guid AssignId(JsonObject json, string table)
    {
        if (json["id"] is JsonValue value && value.TryGetValue<string>(out var text) && EntityIds.TryParse(text, out var given))
        {
            return given;
        }

        if (json["id"] is not null)
        {
            return Guid.Empty; // the schema reports the bad id
        }

        var id = json["name"] is JsonValue name && name.TryGetValue<string>(out var n) ? DerivedId(table, n) : Guid.NewGuid();
        json["id"] = id.ToString();
        return id;
    }

    /// <summary>An id for a certificate or CA certificate: derived from its certificate's digest (they have no name).</summary>
    private static Guid AssignContentId(JsonObject json, string table)
    {
        if (json["id"] is null && json["cert"] is JsonValue cert && cert.TryGetValue<string>(out var pem) && CertificatePem.DigestOf(pem) is { } digest)
        {
            return AssignDerivedId(json, table, digest);
        }

        return AssignId(json, table); // a given id, or a new one for a certificate the schema will refuse
    }

    private static Guid AssignDerivedId(JsonObject json, string table, string key)
    {
        var id = DerivedId(table, key);
        json["id"] = id.ToString();
        return id;
    }

    /// <summary>A name-based UUID (SHA-256, version bits of 5): the same table and name always give the same id.</summary>
    private static Guid DerivedId(string table, string name)
    {
        var input = Namespace.ToByteArray().Concat(Encoding.UTF8.GetBytes(table + ":" + name)).ToArray();
        var hash = SHA256.HashData(input).AsSpan(0, 16).ToArray();
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash);
    }

    private static AdminError Invalid(IReadOnlyDictionary<string, string> fields) => new()
    {
        Code = AdminError.DeclarativeConfigCode,
        Name = "invalid declarative configuration",
        Message = "declarative config is invalid: " + AdminJson.ExpandFields(fields).ToJsonString(),
        Fields = new Dictionary<string, string>(fields),
    };
}
