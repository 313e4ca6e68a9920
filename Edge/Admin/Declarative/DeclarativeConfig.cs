using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Kong's declarative configuration (<c>_format_version: "3.0"</c>; "1.1" and "2.1" are migrated first, as Kong 3 does): services with nested routes and plugins,
/// top-level routes and plugins naming their service or route, consumers, upstreams, certificates with nested SNIs,
/// CA certificates. Read as a whole into one table-replacing write, or written out from the table, both by one walk
/// over <see cref="DeclarativeKinds"/> (built for the registered entity kinds), which says per kind where it nests, how an entity without an id gets a stable
/// one (so applying the same file twice keeps the same ids) and what it references.
/// </summary>
internal sealed class DeclarativeConfig(EntitySchemas schemas, ILogger<DeclarativeConfig>? logger = null)
{
    private static readonly string[] FormatVersions = ["1.1", "2.1", "3.0"];

    // Quotes stay readable in the message; control characters are still escaped.
    private static readonly System.Text.Json.JsonSerializerOptions MessageJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    private readonly IReadOnlyList<DeclarativeKind> _kinds = DeclarativeKinds.Root(schemas);

    public (RouteTableWrite? Write, AdminError? Error) Read(string text)
    {
        var result = Parse(text);
        return (result.Write, result.Error);
    }

    public (RouteTableWrite? Write, AdminError? Error) Read(JsonObject root)
    {
        var result = Parse(root);
        return (result.Write, result.Error);
    }

    /// <summary>Reads a file with everything known about it: the write, or the error with what is needed to flatten it.</summary>
    public DeclarativeReadResult Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = YamlJson.Parse(text);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return new() { Error = Invalid(new Dictionary<string, string> { ["@entity"] = "failed parsing declarative configuration: " + ex.Message + (ex.Start.Line > 0 ? $" (line {ex.Start.Line}, column {ex.Start.Column})" : "") }) };
        }

        return root is JsonObject obj
            ? Parse(obj)
            : new() { Error = new AdminError { Message = "expected a declarative configuration", Name = "invalid declarative configuration", Code = AdminError.DeclarativeConfigCode } };
    }

    /// <summary>Reads a parsed file; one in format 1.1 or 2.1 is migrated in place first, as Kong 3 does (and the change logged).</summary>
    public DeclarativeReadResult Parse(JsonObject root)
    {
        var errors = new FieldErrors();
        var version = root["_format_version"]?.ToString();
        IReadOnlyList<RoutePathChange> migrated = [];
        if (version is null)
        {
            errors.Add("_format_version", "required field missing");
        }
        else if (!FormatVersions.Contains(version))
        {
            errors.Add("_format_version", "expected one of: " + string.Join(", ", FormatVersions));
        }
        else if (RoutePathMigration.Applies(version))
        {
            migrated = RoutePathMigration.Migrate(root);
            if (migrated.Count > 0)
            {
                DeclarativeLog.Migrated(_logger, version, migrated.Count, Describe(migrated));
            }
        }

        foreach (var (key, _) in root)
        {
            if (key is not ("_format_version" or "_transform" or "_comment" or "_workspace") && !_kinds.Any(k => k.Field == key))
            {
                errors.Add(key, "unknown field");
            }
        }

        var names = new Dictionary<string, Dictionary<string, Guid>>(StringComparer.Ordinal);
        var pending = new List<DeclarativeEntityInput>();
        foreach (var kind in _kinds)
        {
            ReadAll(kind, Items(root, kind, errors, ""), "", Guid.Empty, -1, names, errors, pending);
        }

        var entities = new List<GatewayEntity>();
        foreach (var input in pending)
        {
            var entityErrors = new FieldErrors();
            if (schemas.For(input.Kind.Kind).Read(input.Json, entityErrors, coerce: false) is { } entity)
            {
                entities.Add(entity);
            }

            errors.AddAll(entityErrors, input.Path + ".");
        }

        var write = new RouteTableWrite { ReplaceAll = true, Upserts = [.. entities] };
        if (errors.Count == 0 && RouteTableReplacement.Check(write) is ({ } tableError, var failedAt))
        {
            // Every entity was read, so the write's upserts are the pending entities in order.
            var at = failedAt >= 0 ? pending[failedAt].Path + "." : "";
            errors.Add(at + (tableError.Fields?.Keys.FirstOrDefault() ?? "@entity"), tableError.Message);
        }

        return errors.Count > 0
            ? new() { Error = Invalid(errors.All), Errors = errors.All, Entities = pending, FormatVersion = version, Migrated = migrated }
            : new() { Write = write, FormatVersion = version, Migrated = migrated };
    }

    /// <summary>
    /// A digest of a table's declarative content: every entity but admins, in id order, as its schema writes it without
    /// timestamps. A file read to the same entities as the table holds has the table's digest (<c>?check_hash=1</c>).
    /// </summary>
    public string ContentHash(IEnumerable<GatewayEntity> table)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var entity in table.Where(e => e.Kind.IsDeclarative()).OrderBy(e => e.Kind).ThenBy(e => e.Id))
        {
            var json = schemas.For(entity.Kind).Write(entity);
            json.Remove("created_at");
            json.Remove("updated_at");
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
            hash.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <param name="withSecrets">False for a caller who may not see private keys: certificates are written without them.</param>
    public JsonObject Export(IEnumerable<GatewayEntity> table, bool withSecrets = true)
    {
        var all = table.ToList();
        var nested = new Dictionary<DeclarativeKind, ILookup<Guid?, GatewayEntity>>(ReferenceEqualityComparer.Instance);
        var root = new JsonObject { ["_format_version"] = "3.0" };
        foreach (var kind in _kinds)
        {
            var list = WriteAll(kind, all.Where(e => e.Kind == kind.Kind && kind.Holds(e)), all, nested, withSecrets);
            if (list.Count > 0 || kind.AlwaysWritten)
            {
                root[kind.Field] = list;
            }
        }

        return root;
    }

    /// <summary>Reads the entities of one place, each before what nests under it (which gets its id as the parent key).</summary>
    private static void ReadAll(
        DeclarativeKind kind,
        List<JsonObject> items,
        string prefix,
        Guid parentId,
        int parent,
        Dictionary<string, Dictionary<string, Guid>> names,
        FieldErrors errors,
        List<DeclarativeEntityInput> pending)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var json = (JsonObject)items[i].DeepClone();
            var path = $"{prefix}{kind.Field}[{i}]";
            var children = kind.Children.Select(child => (Kind: child, Items: Items(json, child, errors, path + "."))).ToList();
            foreach (var child in kind.Children)
            {
                json.Remove(child.Field);
            }

            if (kind.ParentField is { } parentField)
            {
                json[parentField] = new JsonObject { ["id"] = parentId.ToString() };
            }

            foreach (var reference in kind.References)
            {
                Resolve(json, reference, names, errors, path + ".");
            }

            var id = kind.Id.Assign(json, parentId);
            if (kind.NameOf?.Invoke(json) is { } name)
            {
                if (!names.TryGetValue(kind.Id.Table, out var index))
                {
                    names[kind.Id.Table] = index = new(StringComparer.Ordinal);
                }

                index[name] = id;
            }

            pending.Add(new DeclarativeEntityInput(path, kind, items[i], json, parent));
            var self = pending.Count - 1;
            foreach (var (child, childItems) in children)
            {
                ReadAll(child, childItems, path + ".", id, self, names, errors, pending);
            }
        }
    }

    /// <summary>Writes the entities of one place in its order, each with what nests under it, without the key to its parent.</summary>
    private JsonArray WriteAll(
        DeclarativeKind kind, IEnumerable<GatewayEntity> entities, List<GatewayEntity> all, Dictionary<DeclarativeKind, ILookup<Guid?, GatewayEntity>> nested, bool withSecrets)
    {
        var list = new JsonArray();
        foreach (var entity in kind.Order(entities))
        {
            var json = Clean(schemas.For(kind.Kind).Write(entity));
            if (kind.HasSecrets && !withSecrets)
            {
                foreach (var field in schemas.For(kind.Kind).SecretFields)
                {
                    json.Remove(field);
                }
            }

            if (kind.ParentField is { } parentField)
            {
                json.Remove(parentField);
            }

            foreach (var child in kind.Children)
            {
                if (!nested.TryGetValue(child, out var byParent))
                {
                    nested[child] = byParent = all.Where(e => e.Kind == child.Kind && child.Holds(e)).ToLookup(e => child.ParentOf!(e));
                }

                var children = WriteAll(child, byParent[entity.Id], all, nested, withSecrets);
                if (children.Count > 0)
                {
                    json[child.Field] = children;
                }
            }

            list.Add(json);
        }

        return list;
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

    /// <summary>The records listed under <paramref name="kind"/>'s field of <paramref name="owner"/> (a bare string too, where the kind has a shorthand).</summary>
    private static List<JsonObject> Items(JsonObject owner, DeclarativeKind kind, FieldErrors errors, string prefix)
    {
        var field = kind.Field;
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
                    else if (kind.Shorthand is { } shorthand && array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        items.Add(new JsonObject { [shorthand] = text });
                    }
                    else
                    {
                        errors.Add($"{prefix}{field}[{i}]", kind.Shorthand is null ? "expected a record" : "expected a string or a record");
                    }
                }

                break;
            default:
                errors.Add(prefix + field, "expected an array");
                break;
        }

        return items;
    }

    /// <summary>
    /// A reference by name (<c>service: billing</c> or <c>service: {name: billing}</c>) or by bare id becomes <c>{id}</c>;
    /// a name not found is reported and the reference dropped.
    /// </summary>
    private static void Resolve(JsonObject json, DeclarativeReference reference, Dictionary<string, Dictionary<string, Guid>> names, FieldErrors errors, string prefix)
    {
        var field = reference.Field;
        if (reference.Index is not { } index)
        {
            if (DeclarativeIdRule.Text(json, field) is { } given)
            {
                json[field] = new JsonObject { ["id"] = given }; // a file may give a foreign key as its bare id
            }

            return;
        }

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

        if (names.TryGetValue(index, out var ids) && ids.TryGetValue(name, out var id))
        {
            json[field] = new JsonObject { ["id"] = id.ToString() };
        }
        else
        {
            errors.Add(prefix + field, $"could not find {field} '{name}'");
            json.Remove(field);
        }
    }

    /// <summary>The first changes, printable (a hostile path must not break or forge the log line), for the log.</summary>
    private static string Describe(IReadOnlyList<RoutePathChange> changes) =>
        string.Join(", ", changes.Take(5).Select(c => $"{c.Location}: {Proxy.PrintableText.Escape(c.Before)} -> {Proxy.PrintableText.Escape(c.After)}"))
        + (changes.Count > 5 ? $", and {changes.Count - 5} more" : "");

    public static AdminError Invalid(IReadOnlyDictionary<string, string> fields) => new()
    {
        Code = AdminError.DeclarativeConfigCode,
        Name = "invalid declarative configuration",
        Message = "declarative config is invalid: " + AdminJson.ExpandFields(fields).ToJsonString(MessageJson),
        Fields = new Dictionary<string, string>(fields),
    };
}
