using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// How an entity read from a declarative file gets its id, so that applying the same file twice keeps the same ids:
/// a given id is kept; without one, the id is derived from <see cref="Key"/> (a name-based UUID in <see cref="Table"/>);
/// without a key either, <see cref="Fallback"/> says whether a name or a new id is given here or the schema is left to do it.
/// </summary>
/// <param name="Table">Kong's table name, part of every derived id (so equal keys in two tables give different ids).</param>
/// <param name="Key">The derived id's key, from the entity and its parent's id; null when the entity lacks what it needs.</param>
/// <param name="Fallback">When there is no key: keep a given id, else derive from <c>name</c>, else a new id (and report it to children).</param>
internal sealed record DeclarativeIdRule(string Table, Func<JsonObject, Guid, string?>? Key, bool Fallback)
{
    private static readonly Guid Namespace = new("fd02801f-0957-4a15-a8a1-3dbb25d24f53");

    /// <summary>Kept if given, else derived from the entity's <c>name</c>, else new.</summary>
    public static DeclarativeIdRule ByName(string table) => new(table, null, Fallback: true);

    /// <summary>The entity's id, assigned when it has none; <see cref="Guid.Empty"/> when neither a key nor the fallback applies or the given id is bad (the schema reports it).</summary>
    public Guid Assign(JsonObject json, Guid parentId)
    {
        if (Key is not null && json["id"] is null && Key(json, parentId) is { } key)
        {
            var id = DerivedId(Table, key);
            json["id"] = id.ToString();
            return id;
        }

        return Fallback ? AssignByName(json) : Guid.Empty;
    }

    /// <summary>A string field's value, or null when absent or not a string.</summary>
    public static string? Text(JsonObject json, string field) => json[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private Guid AssignByName(JsonObject json)
    {
        if (Text(json, "id") is { } text && EntityIds.TryParse(text, out var given))
        {
            return given;
        }

        if (json["id"] is not null)
        {
            return Guid.Empty; // the schema reports the bad id
        }

        var id = Text(json, "name") is { } name ? DerivedId(Table, name) : Guid.NewGuid();
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
}
