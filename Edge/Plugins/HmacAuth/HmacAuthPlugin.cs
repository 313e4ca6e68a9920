using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.HmacAuth;

/// <summary>
/// Kong's hmac-auth: the client signs chosen headers (and the request line) with its credential's secret; the edge checks
/// the signature, the date's skew and optionally the body's digest, and identifies the consumer.
/// </summary>
internal sealed class HmacAuthPlugin(TimeProvider time) : GatewayPlugin<HmacAuthOptions>
{
    private static readonly ConfigField<bool> HideCredentials = Field.Boolean("hide_credentials").Default(false);
    private static readonly ConfigField<double> ClockSkew = Field.Number("clock_skew", 0, 1e9).Default(300)
        .Check(skew => skew > 0 ? null : "value must be greater than 0");

    private static readonly ConfigField<string?> Anonymous = Field.String("anonymous");
    private static readonly ConfigField<bool> ValidateRequestBody = Field.Boolean("validate_request_body").Default(false);
    private static readonly ConfigField<string[]> EnforceHeaders = Field.Strings("enforce_headers", name => name.Length == 0 ? "length must be at least 1" : null).Default();
    private static readonly ConfigField<string[]> Algorithms = Field.Strings("algorithms", oneOf: HmacSignature.Algorithms).Default(HmacSignature.Algorithms);
    private static readonly ConfigField<string?> Realm = Field.String("realm");

    private static readonly ConfigSchema<HmacAuthOptions> Schema = new(
        [HideCredentials, ClockSkew, Anonymous, ValidateRequestBody, EnforceHeaders, Algorithms, Realm],
        c => new(c.Get(HideCredentials), c.Get(ClockSkew), c.Get(Anonymous), c.Get(ValidateRequestBody), c.Get(EnforceHeaders), c.Get(Algorithms), c.Get(Realm)));

    public override string Name => "hmac-auth";

    public override int Priority => 1030;

    public override ConfigSchema<HmacAuthOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(HmacAuthOptions options, Guid instanceId) => new HmacAuthHandler(options, time);
}

/// <summary>One hmac-auth instance's configuration.</summary>
internal sealed record HmacAuthOptions(
    bool HideCredentials, double ClockSkew, string? Anonymous, bool ValidateRequestBody, string[] EnforceHeaders, string[] Algorithms, string? Realm);
