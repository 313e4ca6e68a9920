using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.CorrelationId;

/// <summary>Kong's correlation-id: gives each request an id header (kept when the client sent one), optionally echoed back.</summary>
internal sealed class CorrelationIdPlugin : GatewayPlugin<CorrelationIdOptions>
{
    private static readonly ConfigField<string> HeaderName = Field.HeaderName("header_name").Default("Kong-Request-ID");
    private static readonly ConfigField<string> Generator = Field.OneOf("generator", ["uuid", "uuid#counter", "tracker"]).Default("uuid#counter");
    private static readonly ConfigField<bool> EchoDownstream = Field.Boolean("echo_downstream").Default(false);

    private static readonly ConfigSchema<CorrelationIdOptions> Schema = new(
        [HeaderName, Generator, EchoDownstream],
        c => new(c.Get(HeaderName), c.Get(Generator), c.Get(EchoDownstream)));

    public override string Name => "correlation-id";

    public override int Priority => 100001;

    public override ConfigSchema<CorrelationIdOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(CorrelationIdOptions options, Guid instanceId) =>
        new CorrelationIdHandler(options.HeaderName, options.Generator, options.EchoDownstream);
}

/// <summary>One correlation-id instance's configuration.</summary>
internal sealed record CorrelationIdOptions(string HeaderName, string Generator, bool EchoDownstream);
