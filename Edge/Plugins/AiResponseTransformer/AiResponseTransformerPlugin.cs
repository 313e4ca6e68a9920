using Turnpike.Edge.Plugins.AiRequestTransformer;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiResponseTransformer;

/// <summary>
/// Kong's ai-response-transformer: an LLM (configured as ai-proxy's) rewrites the upstream's response body per
/// <c>prompt</c> before it reaches the client; <c>transformation_extract_pattern</c> keeps only the first match of the
/// LLM's reply, and <c>parse_llm_response_json_instructions</c> reads the reply as the status, headers and body to answer.
/// </summary>
internal sealed class AiResponseTransformerPlugin(UpstreamClients clients) : GatewayPlugin<AiTransformerOptions>
{
    private static readonly ConfigField<bool> ParseJsonInstructions = Field.Boolean("parse_llm_response_json_instructions").Default(false);

    private static readonly ConfigSchema<AiTransformerOptions> Schema = new(
        [.. AiTransformerFields.Common, ParseJsonInstructions],
        c => AiTransformerFields.Bind(c, c.Get(ParseJsonInstructions)));

    public override string Name => "ai-response-transformer";

    public override int Priority => 769;

    public override ConfigSchema<AiTransformerOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiTransformerOptions options, Guid instanceId) =>
        new AiResponseTransformerHandler(AiTransformer.Create(options, clients, Name, instanceId));
}
