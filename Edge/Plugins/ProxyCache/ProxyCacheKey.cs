using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Kong 3.x's cache key: the SHA-256 (hex) of <c>prefix|method|uri|params|headers</c>, where the prefix is
/// <c>consumer:route</c> (or the route alone, or <c>default</c>), params are every query argument sorted by name (or only
/// <c>vary_query_params</c>), and headers only <c>vary_headers</c>; each as <c>name=value</c> (values of a repeated
/// name sorted and joined by commas, a bare argument by its name) joined by colons. Whatever the client sends, the
/// key is 64 hex digits: safe in a header and a fixed size in memory.
/// </summary>
internal static class ProxyCacheKey
{
    public static string Build(Guid? consumerId, Guid? routeId, string method, string uri, IQueryCollection query, IHeaderDictionary headers, string[] varyQueryParams, string[] varyHeaders)
    {
        var text = new StringBuilder(256);
        text.Append(consumerId is { } consumer && routeId is { } route ? $"{consumer}:{route}" : routeId?.ToString() ?? "default");
        text.Append('|').Append(method).Append('|').Append(uri).Append('|');
        var names = varyQueryParams.Length > 0 ? varyQueryParams : [.. query.Keys.Order(StringComparer.Ordinal)];
        Append(text, names, name => query.TryGetValue(name, out var values) ? values : (StringValues?)null);
        text.Append('|');
        Append(text, varyHeaders, name => headers.TryGetValue(name, out var values) ? values : (StringValues?)null);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Append(StringBuilder text, string[] names, Func<string, StringValues?> valuesOf)
    {
        var first = true;
        foreach (var name in names)
        {
            if (valuesOf(name) is not { } values)
            {
                continue;
            }

            if (!first)
            {
                text.Append(':');
            }

            first = false;
            text.Append(name);
            if (values.Count == 1 && string.IsNullOrEmpty(values[0]))
            {
                continue; // a bare argument (?flag): Kong's `true`
            }

            text.Append('=');
            text.AppendJoin(',', values.Count > 1 ? values.ToArray().Order(StringComparer.Ordinal) : values);
        }
    }
}
