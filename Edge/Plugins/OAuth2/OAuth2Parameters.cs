using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// The OAuth 2.0 parameters of a request, as Kong's <c>retrieve_parameters</c> merges them: the query string, then (for
/// POST, PUT and PATCH) a form or JSON body over it. A parameter given twice, or a JSON value that is not a string, is
/// present but has no string value (Kong sees a table), so it matches nothing.
/// </summary>
internal sealed class OAuth2Parameters
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public string? this[string name] => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Parameters from a query string alone (also what the unit tests build).</summary>
    public static OAuth2Parameters FromQuery(string query)
    {
        var parameters = new OAuth2Parameters();
        parameters.AddForm(QueryHelpers.ParseQuery(query));
        return parameters;
    }

    /// <summary>
    /// Reads the query and a body of at most <paramref name="maxBody"/> bytes; null when the body is larger (the caller
    /// answers 413). A body that is not a form or JSON object adds nothing, as in Kong.
    /// </summary>
    public static async Task<OAuth2Parameters?> ReadAsync(HttpRequest request, int maxBody, bool keepBody = false)
    {
        var parameters = new OAuth2Parameters();
        foreach (var (key, values) in request.Query)
        {
            parameters._values[key] = values.Count == 1 ? values[0] : null;
        }

        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)) || request.ContentLength is 0)
        {
            return parameters;
        }

        if (request.ContentLength > maxBody)
        {
            return null;
        }

        if (keepBody)
        {
            request.EnableBuffering(); // the upstream still gets the body
        }

        var body = await ReadBoundedAsync(request, maxBody);
        if (keepBody)
        {
            request.Body.Position = 0;
        }

        if (body is null)
        {
            return null;
        }

        var type = request.ContentType ?? "";
        if (type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            parameters.AddForm(QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)));
        }
        else if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            parameters.AddJson(body);
        }

        return parameters;
    }

    private void AddForm(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form)
    {
        foreach (var (key, values) in form)
        {
            _values[key] = values.Count == 1 ? values[0] : null;
        }
    }

    private void AddJson(byte[] body)
    {
        try
        {
            // Depth-bounded by the reader's defaults (64); only the top level is read.
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                _values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Kong ignores a body it cannot decode.
        }
    }

    /// <summary>The body, or null past <paramref name="max"/> bytes (never holding more than that, whatever Content-Length said).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
