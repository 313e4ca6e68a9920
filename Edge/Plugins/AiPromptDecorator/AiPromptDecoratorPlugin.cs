using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptDecorator;

/// <summary>Kong's ai-prompt-decorator: fixed messages put before and after every chat conversation.</summary>
internal sealed class AiPromptDecoratorPlugin : IGatewayPlugin
{
    private static readonly string[] Roles = ["system", "assistant", "user"];

    public string Name => "ai-prompt-decorator";

    public int Priority => 772;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var prompts = config.Record("prompts");
        var prepend = prompts is null ? [] : ReadMessages(prompts, "prepend");
        var append = prompts is null ? [] : ReadMessages(prompts, "append");
        prompts?.RejectUnknown();
        if (prepend.Count == 0 && append.Count == 0 && config.Errors.Count == 0)
        {
            config.Error("@entity", "at least one of these fields must be non-empty: 'config.prompts.prepend', 'config.prompts.append'");
        }

        var maxBodySize = AiRequest.MaxBodySize(config);
        config.RejectUnknown();
        return new JsonObject { ["prompts"] = new JsonObject { ["prepend"] = prepend, ["append"] = append }, ["max_request_body_size"] = maxBodySize };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) =>
        new AiPromptDecoratorHandler(config["prompts"]!["prepend"]!.AsArray(), config["prompts"]!["append"]!.AsArray(), config["max_request_body_size"]!.GetValue<int>());

    private static JsonArray ReadMessages(FieldReader prompts, string name)
    {
        var result = new JsonArray();
        if (prompts.Raw(name) is not { } node)
        {
            return result;
        }

        if (node is not JsonArray messages || messages.Count > 15)
        {
            prompts.Error(name, node is JsonArray ? "length must be at most 15" : "expected an array");
            return result;
        }

        var errors = prompts.Errors;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message)
            {
                errors.Add($"{prompts.PathOf(name)}[{i}]", "expected a record");
                continue;
            }

            var reader = new FieldReader(message, errors, $"{prompts.PathOf(name)}[{i}].");
            var role = reader.String("role") ?? "system";
            var content = reader.String("content", required: true, multiLine: true);
            if (!Roles.Contains(role))
            {
                reader.Error("role", $"expected one of: {string.Join(", ", Roles)}");
            }

            if (content is { Length: 0 or > 100_000 })
            {
                reader.Error("content", "length must be between 1 and 100000");
            }

            reader.RejectUnknown();
            result.Add(new JsonObject { ["role"] = role, ["content"] = content });
        }

        return result;
    }
}
