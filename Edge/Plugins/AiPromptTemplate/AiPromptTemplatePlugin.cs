using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptTemplate;

/// <summary>
/// Kong's ai-prompt-template: named request templates with <c>{{variables}}</c>; a client sends
/// <c>"messages": "{template://name}"</c> (or <c>"prompt"</c>) with <c>properties</c> to fill them.
/// </summary>
internal sealed class AiPromptTemplatePlugin : IGatewayPlugin
{
    public string Name => "ai-prompt-template";

    public int Priority => 773;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var templates = new JsonArray();
        var errors = config.Errors;
        if (config.Raw("templates") is not JsonArray { Count: > 0 } list)
        {
            config.Error("templates", config.Has("templates") ? "expected a non-empty array" : "required field missing");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject template)
                {
                    errors.Add($"{config.PathOf("templates")}[{i}]", "expected a record");
                    continue;
                }

                var reader = new FieldReader(template, errors, $"{config.PathOf("templates")}[{i}].");
                var name = reader.String("name", required: true);
                var text = reader.String("template", required: true, multiLine: true);
                if (name is not null && !names.Add(name))
                {
                    reader.Error("name", $"template name '{name}' is used twice");
                }

                reader.RejectUnknown();
                templates.Add(new JsonObject { ["name"] = name, ["template"] = text });
            }
        }

        var result = new JsonObject
        {
            ["templates"] = templates,
            ["allow_untemplated_requests"] = config.Boolean("allow_untemplated_requests") ?? true,
            ["log_original_request"] = config.Boolean("log_original_request") ?? false,
            ["max_request_body_size"] = AiRequest.MaxBodySize(config),
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new AiPromptTemplateHandler(
        config["templates"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["template"]!.GetValue<string>(), StringComparer.Ordinal),
        config["allow_untemplated_requests"]!.GetValue<bool>(),
        config["max_request_body_size"]!.GetValue<int>());
}
