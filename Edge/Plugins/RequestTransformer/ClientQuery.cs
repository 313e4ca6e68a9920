using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Plugins.RequestTransformer;

/// <summary>
/// A query string taken apart for rewriting some of its parameters: a parameter the transformation leaves as it
/// was goes upstream in the client's own escapes. Decoding and escaping again would change what the client sent
/// (<c>%FF</c>, which is no UTF-8, would become <c>%25FF</c>); only the parameters the admin's text made are escaped.
/// </summary>
internal sealed class ClientQuery
{
    private readonly Dictionary<(string Name, string Value), string> _asSent = [];

    public ClientQuery(string? query)
    {
        foreach (var part in (query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? part : part[..equals]);
            var value = equals < 0 ? "" : Decode(part[(equals + 1)..]);
            if (!Values.TryGetValue(name, out var list))
            {
                Values[name] = list = [];
            }

            list.Add(value);
            _asSent.TryAdd((name, value), part);
        }
    }

    /// <summary>The decoded parameters, in order, for the transformation to change.</summary>
    public Dictionary<string, List<string>> Values { get; } = new(StringComparer.Ordinal);

    public QueryString ToQueryString()
    {
        var text = new StringBuilder();
        foreach (var (name, values) in Values)
        {
            foreach (var value in values)
            {
                text.Append(text.Length == 0 ? '?' : '&');
                if (_asSent.TryGetValue((name, value), out var sent))
                {
                    text.Append(sent);
                }
                else
                {
                    text.Append(UrlEncoder.Default.Encode(name)).Append('=').Append(UrlEncoder.Default.Encode(value));
                }
            }
        }

        return text.Length == 0 ? QueryString.Empty : new QueryString(text.ToString());
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
