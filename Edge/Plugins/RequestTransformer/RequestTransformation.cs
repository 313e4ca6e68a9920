using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestTransformer;

/// <summary>One request-transformer instance's operations, parsed once when the instance is compiled.</summary>
internal sealed record RequestTransformation(string? Method, string? Uri, PartOperations Headers, PartOperations Query, PartOperations Body);

/// <summary>What to do to one part of the request (headers, query string or body), in Kong's order.</summary>
internal sealed record PartOperations(
    string[] Remove, (string From, string To)[] Rename, (string Name, string Value)[] Replace, (string Name, string Value)[] Add, (string Name, string Value)[] Append)
{
    public bool IsEmpty => Remove.Length + Rename.Length + Replace.Length + Add.Length + Append.Length == 0;

    /// <summary>The operations on one part, from each action's entries; header values made safe once here (non-ASCII percent-encoded), not per request.</summary>
    public static PartOperations From(string[] remove, string[] rename, string[] replace, string[] add, string[] append, bool headers)
    {
        Func<string, (string, string)> pair = headers ? HeaderPair : Split;
        return new(remove, [.. rename.Select(Split)], [.. replace.Select(pair)], [.. add.Select(pair)], [.. append.Select(pair)]);
    }

    private static (string, string) HeaderPair(string entry)
    {
        var (name, value) = Split(entry);
        return (name, Proxy.PrintableText.Escape(value));
    }

    /// <summary>Checks one <c>name:value</c> entry (renames: <c>old:new</c>) of a transformer's config.</summary>
    public static string? PairProblem(string value) => value.IndexOf(':', StringComparison.Ordinal) > 0 ? null : "invalid value: " + value;

    /// <summary>The check of one entry of <paramref name="action"/> on <paramref name="part"/>: header names (both of a rename) must be RFC 7230 tokens.</summary>
    public static Func<string, string?>? Check(string action, string part)
    {
        if (part != "headers")
        {
            return action == "remove" ? null : PairProblem;
        }

        return action switch
        {
            "remove" => TextRules.HeaderName,
            "rename" => value => PairProblem(value) ?? TextRules.HeaderName(Split(value).Item1) ?? TextRules.HeaderName(Split(value).Item2),
            _ => value => PairProblem(value) ?? TextRules.HeaderName(value[..value.IndexOf(':', StringComparison.Ordinal)]),
        };
    }

    /// <summary>Applies the operations to request or response headers in place (no copy of the other headers).</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        foreach (var name in Remove)
        {
            headers.Remove(name);
        }

        foreach (var (from, to) in Rename)
        {
            if (headers.Remove(from, out var moved))
            {
                headers[to] = moved;
            }
        }

        foreach (var (name, value) in Replace)
        {
            if (headers.ContainsKey(name))
            {
                headers[name] = value;
            }
        }

        foreach (var (name, value) in Add)
        {
            headers.TryAdd(name, value);
        }

        foreach (var (name, value) in Append)
        {
            headers[name] = StringValues.Concat(headers[name], value);
        }
    }

    /// <summary>Applies the operations to a multi-valued collection (headers, query parameters, form fields).</summary>
    public void ApplyTo(IDictionary<string, List<string>> values)
    {
        foreach (var name in Remove)
        {
            values.Remove(name);
        }

        foreach (var (from, to) in Rename)
        {
            if (values.Remove(from, out var moved))
            {
                values[to] = moved;
            }
        }

        foreach (var (name, value) in Replace)
        {
            if (values.ContainsKey(name))
            {
                values[name] = [value];
            }
        }

        foreach (var (name, value) in Add)
        {
            values.TryAdd(name, [value]);
        }

        foreach (var (name, value) in Append)
        {
            if (values.TryGetValue(name, out var existing))
            {
                existing.Add(value);
            }
            else
            {
                values[name] = [value];
            }
        }
    }

    /// <summary>Applies the operations to a JSON object body: appending to a field makes it an array, as Kong does.</summary>
    public void ApplyTo(JsonObject body)
    {
        foreach (var name in Remove)
        {
            body.Remove(name);
        }

        foreach (var (from, to) in Rename)
        {
            if (body.Remove(from, out var moved))
            {
                body[to] = moved;
            }
        }

        foreach (var (name, value) in Replace)
        {
            if (body.ContainsKey(name))
            {
                body[name] = value;
            }
        }

        foreach (var (name, value) in Add)
        {
            if (!body.ContainsKey(name))
            {
                body[name] = value;
            }
        }

        foreach (var (name, value) in Append)
        {
            body[name] = body[name] switch
            {
                null => value,
                JsonArray array => Appended(array, value),
                var single => new JsonArray(single.DeepClone(), value),
            };
        }

        static JsonArray Appended(JsonArray array, string value)
        {
            array.Add(value);
            return (JsonArray)array.DeepClone();
        }
    }


    private static (string, string) Split(string pair)
    {
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return (pair[..colon], pair[(colon + 1)..]);
    }
}
