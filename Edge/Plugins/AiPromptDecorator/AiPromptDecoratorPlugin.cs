using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptDecorator;

/// <summary>Kong's ai-prompt-decorator: fixed messages put before and after every chat conversation.</summary>
internal sealed class AiPromptDecoratorPlugin : GatewayPlugin<AiPromptDecoratorOptions>
{
    private static readonly ConfigField<string> Role = Field.OneOf("role", ["system", "assistant", "user"]).Default("system");
    private static readonly ConfigField<string> Content = Field.RequiredString("content", multiLine: true)
        .Check(content => content.Length is 0 or > 100_000 ? "length must be between 1 and 100000" : null, "len_max", 100_000);

    private static readonly ConfigSchema<JsonObject> Message = new([Role, Content], c => new JsonObject { ["role"] = c.Get(Role), ["content"] = c.Get(Content) });

    private static readonly ConfigField<JsonObject[]> Prepend = Field.Records("prepend", Message, maxLength: 15);
    private static readonly ConfigField<JsonObject[]> Append = Field.Records("append", Message, maxLength: 15);
    private static readonly ConfigField<(JsonObject[] Prepend, JsonObject[] Append)> Prompts =
        Field.Record("prompts", new ConfigSchema<(JsonObject[], JsonObject[])>([Prepend, Append], c => (c.Get(Prepend), c.Get(Append))));

    private static readonly ConfigSchema<AiPromptDecoratorOptions> Schema = new(
        [
            Prompts,
            // Only when the prompts read cleanly: a refused message is reason enough.
            ConfigCheck.AtLeastOneOf(
                (c, r) => c.Get(Prompts) is { Prepend.Length: 0, Append.Length: 0 } && r.Errors.Count == 0,
                $"{Prompts.Name}.{Prepend.Name}",
                $"{Prompts.Name}.{Append.Name}"),
            AiRequest.MaxBodySize,
        ],
        c => new(new JsonArray([.. c.Get(Prompts).Prepend]), new JsonArray([.. c.Get(Prompts).Append]), c.Get(AiRequest.MaxBodySize)));

    public override string Name => "ai-prompt-decorator";

    public override int Priority => 772;

    public override ConfigSchema<AiPromptDecoratorOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiPromptDecoratorOptions options, Guid instanceId) =>
        new AiPromptDecoratorHandler(options.Prepend, options.Append, options.MaxRequestBodySize);
}

/// <summary>One ai-prompt-decorator instance's configuration: the messages, in the chat format they are spliced in as.</summary>
internal sealed record AiPromptDecoratorOptions(JsonArray Prepend, JsonArray Append, int MaxRequestBodySize);
