using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>routes</c> schema for http/https and grpc/grpcs routes. A route is one or the other, never both (Kong's
/// mutually exclusive protocol sets); a grpc route has no methods and does not strip its path (Kong's grpc subschema).
/// </summary>
internal sealed class RouteSchema : IEntitySchema
{
    private static readonly int[] RedirectCodes = [426, 301, 302, 307, 308];
    private static readonly string[] KnownProtocols = ["http", "https", "grpc", "grpcs"];
    private static readonly string[][] ProtocolSets = [["http", "https"], ["grpc", "grpcs"]];

    public EntityKind Kind => EntityKind.Route;

    public string NameField => "name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("service", EntityKind.Service)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var name = r.String("name");
        if (name is not null && FieldRules.Name(name) is { } nameProblem)
        {
            r.Error("name", nameProblem);
        }

        var protocols = r.Strings("protocols", p => KnownProtocols.Contains(p) ? null : $"expected one of: {string.Join(", ", KnownProtocols)}") ?? ["http", "https"];
        if (protocols.Length == 0)
        {
            r.Error("protocols", "length must be at least 1");
        }

        var sets = ProtocolSets.Where(set => protocols.Any(set.Contains)).OrderBy(set => Array.FindIndex(protocols, set.Contains)).ToList();
        if (sets.Count > 1)
        {
            r.Error("protocols", "these sets are mutually exclusive: " + string.Join(", ", sets.Select(set => $"({string.Join(", ", set.Select(p => $"'{p}'"))})")));
        }

        var grpc = protocols.Length > 0 && sets.Count == 1 && sets[0] == ProtocolSets[1];

        var methods = r.Strings("methods", FieldRules.Method);
        var hosts = r.Strings("hosts", FieldRules.RouteHost);
        var paths = r.Strings("paths", FieldRules.RoutePath);
        var headers = ReadHeaders(r);
        var redirect = r.Integer("https_redirect_status_code", 100, 999) ?? 426;
        if (Array.IndexOf(RedirectCodes, redirect) < 0)
        {
            r.Error("https_redirect_status_code", "expected one of: 426, 301, 302, 307, 308");
        }

        var pathHandling = r.String("path_handling") ?? "v0";
        if (pathHandling is not ("v0" or "v1"))
        {
            r.Error("path_handling", "expected one of: v0, v1");
        }

        var route = new RouteEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Name = name,
            Protocols = [.. protocols.Distinct()],
            Methods = methods is { Length: > 0 } ? [.. methods.Distinct()] : null,
            Hosts = hosts is { Length: > 0 } ? [.. hosts.Distinct()] : null,
            Paths = paths is { Length: > 0 } ? [.. paths.Distinct()] : null,
            Headers = headers,
            HttpsRedirectStatusCode = redirect,
            RegexPriority = r.Integer("regex_priority", int.MinValue, int.MaxValue) ?? 0,
            StripPath = r.Boolean("strip_path") ?? !grpc,
            PathHandling = pathHandling,
            PreserveHost = r.Boolean("preserve_host") ?? false,
            RequestBuffering = r.Boolean("request_buffering") ?? true,
            ResponseBuffering = r.Boolean("response_buffering") ?? true,
            ServiceId = r.ForeignKey("service"),
            Tags = r.Strings("tags", FieldRules.Tag),
        };
        r.RejectUnknown();
        if (grpc)
        {
            if (route.StripPath)
            {
                r.Error("strip_path", "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'");
            }

            if (route.Methods is not null)
            {
                r.Error("methods", "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'");
            }

            if (errors.Count == 0 && route.Hosts is null && route.Paths is null && route.Headers is null)
            {
                errors.Add("@entity", route.Protocols.Contains("grpcs")
                    ? "must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"
                    : "must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'");
            }
        }
        else if (errors.Count == 0 && route.Methods is null && route.Hosts is null && route.Paths is null && route.Headers is null)
        {
            var protocolList = string.Join(", ", route.Protocols.Select(p => $"'{p}'"));
            errors.Add("@entity", route.Protocols.Contains("https")
                ? "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
                : $"must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is {protocolList}");
        }

        return errors.Count == 0 ? route : null;
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var route = (RouteEntity)entity;
        JsonObject? headers = null;
        if (route.Headers is { } map)
        {
            headers = [];
            foreach (var (name, values) in map)
            {
                headers[name] = JsonFields.Array(values);
            }
        }

        var json = new JsonObject
        {
            ["id"] = route.Id.ToString(),
            ["name"] = route.Name,
            ["protocols"] = JsonFields.Array(route.Protocols),
            ["methods"] = JsonFields.Array(route.Methods),
            ["hosts"] = JsonFields.Array(route.Hosts),
            ["paths"] = JsonFields.Array(route.Paths),
            ["headers"] = headers,
            ["https_redirect_status_code"] = route.HttpsRedirectStatusCode,
            ["regex_priority"] = route.RegexPriority,
            ["strip_path"] = route.StripPath,
            ["path_handling"] = route.PathHandling,
            ["preserve_host"] = route.PreserveHost,
            ["request_buffering"] = route.RequestBuffering,
            ["response_buffering"] = route.ResponseBuffering,
            ["service"] = JsonFields.Reference(route.ServiceId),
        };
        JsonFields.WriteCommon(json, route);
        return json;
    }

    private static Dictionary<string, string[]>? ReadHeaders(FieldReader r)
    {
        var obj = r.Object("headers");
        if (obj is null || obj.Count == 0)
        {
            return null;
        }

        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        var inner = new FieldReader(obj, r.Errors, r.PathOf("headers") + ".", r.Coerce);
        foreach (var (name, _) in obj.ToList())
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                r.Error("headers", "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
                inner.Raw(name);
                continue;
            }

            if (FieldRules.HeaderName(name) is { } problem)
            {
                inner.Error(name, problem);
                inner.Raw(name);
                continue;
            }

            if (inner.Strings(name) is { Length: > 0 } values)
            {
                foreach (var value in values.Where(v => v.StartsWith("~*", StringComparison.Ordinal)))
                {
                    if (Routing.RouteRegex.Problem(value[2..], System.Text.RegularExpressions.RegexOptions.IgnoreCase) is { } regexProblem)
                    {
                        inner.Error(name, regexProblem);
                    }
                }

                headers[name.ToLowerInvariant()] = values;
            }
            else if (!r.Errors.All.ContainsKey(inner.PathOf(name)))
            {
                inner.Error(name, "length must be at least 1");
            }
        }

        return headers;
    }
}
