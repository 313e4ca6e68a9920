using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Kong 3's on-the-fly migration of a declarative file in <c>_format_version</c> "1.1" or "2.1"
/// (<c>kong/db/declarative/migrations/route_path.lua</c> with <c>migrate_path_280_300.lua</c>): Kong 2 took any route
/// path with a character outside <c>[a-zA-Z0-9.\-_~/%]</c> for a regex, Kong 3 wants regexes marked with <c>~</c>.
/// The paths of top-level routes and of routes nested in services are rewritten, before anything is validated:
/// a regex gets its <c>~</c> (percent-encoded triplets decoded, a regex metacharacter escaped, a reserved one kept
/// encoded); a plain path is normalised (triplets decoded likewise, dot segments removed, slashes merged).
/// Deliberate differences from Kong: a path already starting with <c>~</c> is left as it is (Kong would make
/// <c>~~/…</c>, a route that never matches), and a triplet for a control character or a non-ASCII byte stays
/// encoded (decoded it would be refused as a control character, or leave half a UTF-8 sequence).
/// </summary>
internal static class RoutePathMigration
{
    /// <summary>RFC 3986's reserved characters: a triplet for one stays encoded (upper-cased), as Kong does.</summary>
    private const string Reserved = "!#$%&'()*+,/:;=?@[]";

    /// <summary>Decoded into a regex, these would change its meaning: they are escaped instead.</summary>
    private const string RegexMeta = ".^-{}\\|";

    public static bool Applies(string? formatVersion) => formatVersion is "1.1" or "2.1";

    /// <summary>Rewrites the route paths of <paramref name="root"/> in place; returns each change (where, before, after).</summary>
    public static IReadOnlyList<RoutePathChange> Migrate(JsonObject root)
    {
        var changes = new List<RoutePathChange>();
        MigrateRoutes(root["routes"], "routes", changes);
        if (root["services"] is JsonArray services)
        {
            for (var i = 0; i < services.Count; i++)
            {
                if (services[i] is JsonObject service)
                {
                    MigrateRoutes(service["routes"], $"services[{i}].routes", changes);
                }
            }
        }

        return changes;
    }

    /// <summary>One path as Kong 3 reads a Kong 2 path.</summary>
    public static string MigratePath(string path)
    {
        if (path.StartsWith('~'))
        {
            return path;
        }

        return IsPlain(path) ? Normalize(path) : "~" + Decode(path, regex: true);
    }

    private static void MigrateRoutes(JsonNode? routes, string prefix, List<RoutePathChange> changes)
    {
        if (routes is not JsonArray list)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject route || route["paths"] is not JsonArray paths)
            {
                continue;
            }

            for (var j = 0; j < paths.Count; j++)
            {
                if (paths[j] is JsonValue value && value.TryGetValue<string>(out var path) && MigratePath(path) is var migrated && migrated != path)
                {
                    paths[j] = migrated;
                    changes.Add(new RoutePathChange($"{prefix}[{i}].paths[{j}]", path, migrated));
                }
            }
        }
    }

    /// <summary>Kong 2's test for a plain (prefix) path: only these characters.</summary>
    private static bool IsPlain(string path) =>
        path.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_' or '~' or '/' or '%');

    /// <summary>Kong's <c>normalize(path, true)</c>: triplets decoded, dot segments removed, repeated slashes merged.</summary>
    private static string Normalize(string path)
    {
        if (path is "" or "/")
        {
            return path;
        }

        var uri = Decode(path, regex: false);
        if (!uri.Contains('.', StringComparison.Ordinal) && !uri.Contains("//", StringComparison.Ordinal))
        {
            return uri;
        }

        var output = new List<string>();
        while (uri.Length > 0)
        {
            if (uri == "/.")
            {
                uri = "/";
            }
            else if (uri == "/..")
            {
                uri = "/";
                Pop(output);
            }
            else if (uri is "." or "..")
            {
                uri = "";
            }
            else if (uri.StartsWith("../", StringComparison.Ordinal))
            {
                uri = uri[3..];
            }
            else if (uri.StartsWith("./", StringComparison.Ordinal))
            {
                uri = uri[2..];
            }
            else if (uri.StartsWith("/./", StringComparison.Ordinal))
            {
                uri = uri[2..];
            }
            else if (uri.StartsWith("/../", StringComparison.Ordinal))
            {
                uri = uri[3..];
                Pop(output);
            }
            else if (uri.StartsWith("//", StringComparison.Ordinal))
            {
                uri = uri[1..];
            }
            else
            {
                var next = uri.IndexOf('/', 1);
                output.Add(next > 0 ? uri[..next] : uri);
                uri = next > 0 ? uri[next..] : "";
            }
        }

        return string.Concat(output);

        static void Pop(List<string> segments)
        {
            if (segments.Count > 0)
            {
                segments.RemoveAt(segments.Count - 1);
            }
        }
    }

    /// <summary>Decodes <c>%XX</c> triplets of printable ASCII characters that are not reserved; a regex's metacharacters come out escaped.</summary>
    private static string Decode(string path, bool regex)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && Uri.IsHexDigit(path[i + 1]) && Uri.IsHexDigit(path[i + 2]))
            {
                var c = (char)Convert.ToInt32(path.Substring(i + 1, 2), 16);
                if (c is < ' ' or >= (char)0x7F || Reserved.Contains(c, StringComparison.Ordinal))
                {
                    builder.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }
                else if (regex && RegexMeta.Contains(c, StringComparison.Ordinal))
                {
                    builder.Append('\\').Append(c);
                }
                else
                {
                    builder.Append(c);
                }

                i += 2;
            }
            else
            {
                builder.Append(path[i]);
            }
        }

        return builder.ToString();
    }
}
