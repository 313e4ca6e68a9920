using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestTransformer;

/// <summary>
/// Kong's request-transformer: removes, renames, replaces, adds and appends headers, query parameters and
/// form or JSON body fields (in that order), and can change the method and the upstream path.
/// </summary>
internal sealed class RequestTransformerPlugin : GatewayPlugin<RequestTransformation>
{
    private static readonly ConfigField<string?> HttpMethod = Field.String("http_method")
        .Check(method => method is not null && (method.Length == 0 || !method.All(char.IsAsciiLetterUpper)) ? "invalid value: " + method : null, "match", "^%u+$");

    private static readonly ConfigField<RequestParts> Remove = Action("remove");
    private static readonly ConfigField<RequestParts> Rename = Action("rename");
    private static readonly ConfigField<RequestParts> Replace = Action("replace");
    private static readonly ConfigField<RequestParts> Add = Action("add");
    private static readonly ConfigField<RequestParts> Append = Action("append");

    private static readonly ConfigSchema<RequestTransformation> Schema = new(
        [HttpMethod, Remove, Rename, Replace, Add, Append],
        c =>
        {
            var (remove, rename, replace, add, append) = (c.Get(Remove), c.Get(Rename), c.Get(Replace), c.Get(Add), c.Get(Append));
            return new(
                c.Get(HttpMethod),
                replace.Uri,
                PartOperations.From(remove.Headers, rename.Headers, replace.Headers, add.Headers, append.Headers, headers: true),
                PartOperations.From(remove.Querystring, rename.Querystring, replace.Querystring, add.Querystring, append.Querystring, headers: false),
                PartOperations.From(remove.Body, rename.Body, replace.Body, add.Body, append.Body, headers: false));
        });

    public override string Name => "request-transformer";

    public override int Priority => 801;

    public override ConfigSchema<RequestTransformation> Config => Schema;

    protected override IPluginHandler CreateHandler(RequestTransformation options, Guid instanceId) => new RequestTransformerHandler(options);

    /// <summary>One action's record: its entries per part, and for <c>replace</c> the upstream path too. Never coerced from a form.</summary>
    private static ConfigField<RequestParts> Action(string action)
    {
        var headers = Field.Strings("headers", PartOperations.Check(action, "headers")).Default();
        var querystring = Field.Strings("querystring", PartOperations.Check(action, "querystring")).Default();
        var body = Field.Strings("body", PartOperations.Check(action, "body")).Default();
        var uri = action == "replace" ? Field.String("uri") : null;
        ConfigStep[] steps = uri is null ? [headers, querystring, body] : [headers, querystring, body, uri];
        return Field.Record(action, new ConfigSchema<RequestParts>(steps, c => new(c.Get(headers), c.Get(querystring), c.Get(body), uri is null ? null : c.Get(uri))), coerce: false);
    }
}

/// <summary>One request-transformer action's entries, per part of the request.</summary>
internal sealed record RequestParts(string[] Headers, string[] Querystring, string[] Body, string? Uri);
