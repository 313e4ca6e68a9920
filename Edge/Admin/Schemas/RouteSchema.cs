using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>routes</c> schema for http/https and grpc/grpcs routes. A route is one or the other, never both (Kong's
/// mutually exclusive protocol sets); a grpc route has no methods and does not strip its path (Kong's grpc subschema).
/// </summary>
internal sealed class RouteSchema : EntitySchema<RouteEntity>
{
    private static readonly int[] RedirectCodes = [426, 301, 302, 307, 308];
    private static readonly string[] KnownProtocols = ["http", "https", "grpc", "grpcs"];
    private static readonly string[][] ProtocolSets = [["http", "https"], ["grpc", "grpcs"]];

    private static readonly ConfigField<string?> Name = Field.String("name").Check(n => FieldRules.Name(n!)).Described("unique", true);
    private static readonly ConfigField<string[]> Protocols = Field.Strings("protocols", oneOf: KnownProtocols, set: true).Default("http", "https")
        .Check(p => p.Length == 0 ? "length must be at least 1" : MixedProtocols(p), "len_min", 1);

    private static readonly ConfigField<string[]?> Methods = Field.Strings("methods", FieldRules.Method, set: true);
    private static readonly ConfigField<string[]?> Hosts = Field.Strings("hosts", FieldRules.RouteHost);
    private static readonly ConfigField<string[]?> Paths = Field.Strings("paths", FieldRules.RoutePath);
    private static readonly ConfigField<Dictionary<string, string[]>?> Headers = Field.Custom("headers", HeadersDescription(), (r, _) => ReadHeaders(r), ToHeaders);
    private static readonly ConfigField<int> HttpsRedirectStatusCode = Field.Integer("https_redirect_status_code", 100, 999).Default(426)
        .Check(code => Array.IndexOf(RedirectCodes, code) < 0 ? "expected one of: 426, 301, 302, 307, 308" : null, "one_of", new JsonArray([.. RedirectCodes.Select(c => (JsonNode?)c)]));

    private static readonly ConfigField<int> RegexPriority = Field.Integer("regex_priority", int.MinValue, int.MaxValue).Default(0);

    /// <summary>No stored default: true, except for gRPC routes, which keep their path (Kong's grpc subschema).</summary>
    private static readonly ConfigField<bool?> StripPath = Field.Boolean("strip_path").Described("default", true);
    private static readonly ConfigField<string> PathHandling = Field.OneOf("path_handling", ["v0", "v1"]).Default("v0");
    private static readonly ConfigField<bool> PreserveHost = Field.Boolean("preserve_host").Default(false);
    private static readonly ConfigField<bool> RequestBuffering = Field.Boolean("request_buffering").Default(true);
    private static readonly ConfigField<bool> ResponseBuffering = Field.Boolean("response_buffering").Default(true);
    private static readonly ConfigField<Guid?> Service = Field.Foreign("service", EntityKind.Service.TableName());

    /// <summary>What a route must match on, and what a gRPC route cannot have, in Kong's words.</summary>
    private static readonly ConfigCheck Matching = new((c, r) =>
    {
        var protocols = c.Get(Protocols);
        var matchesOn = Given(c.Get(Hosts)) || Given(c.Get(Paths)) || c.Get(Headers) is { Count: > 0 };
        if (IsGrpc(protocols))
        {
            if (c.Get(StripPath) == true)
            {
                r.Error("strip_path", "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'");
            }

            if (Given(c.Get(Methods)))
            {
                r.Error("methods", "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'");
            }

            if (r.Errors.Count == 0 && !matchesOn)
            {
                r.Error("@entity", protocols.Contains("grpcs")
                    ? "must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"
                    : "must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'");
            }
        }
        else if (r.Errors.Count == 0 && !matchesOn && !Given(c.Get(Methods)))
        {
            var distinct = protocols.Distinct().ToArray();
            r.Error("@entity", distinct.Contains("https")
                ? "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
                : $"must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is {string.Join(", ", distinct.Select(p => $"'{p}'"))}");
        }
    });

    public RouteSchema()
        : base([Name, Protocols, Methods, Hosts, Paths, Headers, HttpsRedirectStatusCode, RegexPriority, StripPath, PathHandling, PreserveHost, RequestBuffering, ResponseBuffering, Service, Matching])
    {
    }

    public override EntityKind Kind => EntityKind.Route;

    public override string NameField => "name";

    public override JsonObject Write(GatewayEntity entity)
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

    protected override RouteEntity Bind(ConfigValues values) => new()
    {
        Name = values.Get(Name),
        Protocols = [.. values.Get(Protocols).Distinct()],
        Methods = Distinct(values.Get(Methods)),
        Hosts = Distinct(values.Get(Hosts)),
        Paths = Distinct(values.Get(Paths)),
        Headers = values.Get(Headers) is { Count: > 0 } headers ? headers : null,
        HttpsRedirectStatusCode = values.Get(HttpsRedirectStatusCode),
        RegexPriority = values.Get(RegexPriority),
        StripPath = values.Get(StripPath) ?? !IsGrpc(values.Get(Protocols)),
        PathHandling = values.Get(PathHandling),
        PreserveHost = values.Get(PreserveHost),
        RequestBuffering = values.Get(RequestBuffering),
        ResponseBuffering = values.Get(ResponseBuffering),
        ServiceId = values.Get(Service),
    };

    private static bool Given(string[]? values) => values is { Length: > 0 };

    private static string[]? Distinct(string[]? values) => Given(values) ? [.. values!.Distinct()] : null;

    /// <summary>The protocol sets a route names, in the order it names them; a route is http(s) or grpc(s), never both.</summary>
    private static List<string[]> SetsOf(string[] protocols) =>
        [.. ProtocolSets.Where(set => protocols.Any(set.Contains)).OrderBy(set => Array.FindIndex(protocols, set.Contains))];

    private static string? MixedProtocols(string[] protocols) => SetsOf(protocols) is { Count: > 1 } sets
        ? "these sets are mutually exclusive: " + string.Join(", ", sets.Select(set => $"({string.Join(", ", set.Select(p => $"'{p}'"))})"))
        : null;

    private static bool IsGrpc(string[] protocols) => SetsOf(protocols) is [var only] && only == ProtocolSets[1];

    private static JsonObject HeadersDescription()
    {
        var values = Field.Describe("array", false);
        values["elements"] = Field.Describe("string", false);
        var description = Field.Describe("map", false);
        description["keys"] = Field.Describe("string", false);
        description["values"] = values;
        return description;
    }

    private static Dictionary<string, string[]> ToHeaders(JsonNode node) =>
        node.AsObject().ToDictionary(h => h.Key, h => Field.ToStrings(h.Value!), StringComparer.OrdinalIgnoreCase);

    /// <summary>Header names (not <c>host</c>) to the values a request must carry one of; <c>~*</c> values are regexes, checked here.</summary>
    private static JsonObject? ReadHeaders(FieldReader r)
    {
        var obj = r.Object("headers");
        if (obj is null || obj.Count == 0)
        {
            return null;
        }

        var headers = new JsonObject();
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

                headers[name.ToLowerInvariant()] = Field.Array(values);
            }
            else if (!r.Errors.All.ContainsKey(inner.PathOf(name)))
            {
                inner.Error(name, "length must be at least 1");
            }
        }

        return headers;
    }
}
