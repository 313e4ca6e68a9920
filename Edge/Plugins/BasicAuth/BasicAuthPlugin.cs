using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.BasicAuth;

/// <summary>Kong's basic-auth: identifies the consumer by a username and password in the Authorization header.</summary>
internal sealed class BasicAuthPlugin : GatewayPlugin<BasicAuthOptions>
{
    private static readonly ConfigField<string?> Anonymous = Field.String("anonymous");
    private static readonly ConfigField<bool> HideCredentials = Field.Boolean("hide_credentials").Default(false);
    private static readonly ConfigField<string> Realm = Field.String("realm").Default("service");

    private static readonly ConfigSchema<BasicAuthOptions> Schema = new(
        [Anonymous, HideCredentials, Realm],
        c => new(c.Get(Anonymous), c.Get(HideCredentials), c.Get(Realm)));

    public override string Name => "basic-auth";

    public override int Priority => 1100;

    public override ConfigSchema<BasicAuthOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(BasicAuthOptions options, Guid instanceId) =>
        new BasicAuthHandler(options.Anonymous, options.HideCredentials, options.Realm);
}

/// <summary>One basic-auth instance's configuration.</summary>
internal sealed record BasicAuthOptions(string? Anonymous, bool HideCredentials, string Realm);
