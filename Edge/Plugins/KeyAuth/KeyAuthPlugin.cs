using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.KeyAuth;

/// <summary>Kong's key-auth: identifies the consumer by an API key in a header, the query string or the body.</summary>
internal sealed class KeyAuthPlugin : GatewayPlugin<KeyAuthOptions>
{
    private static readonly ConfigField<string[]> KeyNames = Field.Strings("key_names", name => TextRules.HeaderName(name) is null ? null : "bad header name")
        .Default("apikey")
        .Check(names => names.Length == 0 ? "length must be at least 1" : null, "len_min", 1);

    private static readonly ConfigField<bool> KeyInHeader = Field.Boolean("key_in_header").Default(true);
    private static readonly ConfigField<bool> KeyInQuery = Field.Boolean("key_in_query").Default(true);
    private static readonly ConfigField<bool> KeyInBody = Field.Boolean("key_in_body").Default(false);
    private static readonly ConfigField<bool> HideCredentials = Field.Boolean("hide_credentials").Default(false);
    private static readonly ConfigField<string?> Anonymous = Field.String("anonymous");
    private static readonly ConfigField<bool> RunOnPreflight = Field.Boolean("run_on_preflight").Default(true);
    private static readonly ConfigField<string?> Realm = Field.String("realm");

    private static readonly ConfigSchema<KeyAuthOptions> Schema = new(
        [KeyNames, KeyInHeader, KeyInQuery, KeyInBody, HideCredentials, Anonymous, RunOnPreflight, Realm],
        c => new(
            c.Get(KeyNames),
            c.Get(KeyInHeader),
            c.Get(KeyInQuery),
            c.Get(KeyInBody),
            c.Get(HideCredentials),
            c.Get(Anonymous),
            c.Get(RunOnPreflight),
            // Kong stores no realm by default yet answers with realm "kong".
            c.Get(Realm) ?? "kong"));

    public override string Name => "key-auth";

    public override int Priority => 1250;

    public override ConfigSchema<KeyAuthOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(KeyAuthOptions options, Guid instanceId) => new KeyAuthHandler(options);
}

/// <summary>One key-auth instance's configuration, read once when the instance is compiled.</summary>
internal sealed record KeyAuthOptions(
    string[] KeyNames, bool InHeader, bool InQuery, bool InBody, bool HideCredentials, string? Anonymous, bool RunOnPreflight, string Realm);
