using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>
/// Kong's ai-request-transformer: an LLM (configured as ai-proxy's) rewrites the request body per <c>prompt</c> before
/// it goes upstream; <c>transformation_extract_pattern</c> keeps only the first match of the LLM's reply.
/// </summary>
internal sealed class AiRequestTransformerPlugin(UpstreamClients clients) : GatewayPlugin<AiTransformerOptions>
{
    private static readonly ConfigSchema<AiTransformerOptions> Schema = new(AiTransformerFields.Common, c => AiTransformerFields.Bind(c, parseJsonInstructions: false));

    public override string Name => "ai-request-transformer";

    public override int Priority => 777;

    public override ConfigSchema<AiTransformerOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiTransformerOptions options, Guid instanceId) =>
        new AiRequestTransformerHandler(AiTransformer.Create(options, clients, Name, instanceId));
}
