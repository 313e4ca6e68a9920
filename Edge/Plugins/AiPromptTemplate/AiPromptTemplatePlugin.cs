using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptTemplate;

/// <summary>
/// Kong's ai-prompt-template: named request templates with <c>{{variables}}</c>; a client sends
/// <c>"messages": "{template://name}"</c> (or <c>"prompt"</c>) with <c>properties</c> to fill them.
/// </summary>
internal sealed class AiPromptTemplatePlugin : GatewayPlugin<AiPromptTemplateOptions>
{
    private static readonly ConfigField<string> TemplateName = Field.RequiredString("name");
    private static readonly ConfigField<string> TemplateText = Field.RequiredString("template", multiLine: true);

    private static readonly ConfigField<(string Name, string Template)[]> Templates = Field.Records(
        "templates", new ConfigSchema<(string, string)>([TemplateName, TemplateText], c => (c.Get(TemplateName), c.Get(TemplateText))), nonEmpty: true);

    private static readonly ConfigField<bool> AllowUntemplatedRequests = Field.Boolean("allow_untemplated_requests").Default(true);
    private static readonly ConfigField<bool> LogOriginalRequest = Field.Boolean("log_original_request").Default(false);

    private static readonly ConfigSchema<AiPromptTemplateOptions> Schema = new(
        [Templates, new ConfigCheck(UniqueNames), AllowUntemplatedRequests, LogOriginalRequest, AiRequest.MaxBodySize],
        c => new(
            c.Get(Templates).ToDictionary(t => t.Name, t => t.Template, StringComparer.Ordinal),
            c.Get(AllowUntemplatedRequests),
            c.Get(AiRequest.MaxBodySize)));

    public override string Name => "ai-prompt-template";

    public override int Priority => 773;

    public override ConfigSchema<AiPromptTemplateOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiPromptTemplateOptions options, Guid instanceId) =>
        new AiPromptTemplateHandler(options.Templates, options.AllowUntemplatedRequests, options.MaxRequestBodySize);

    /// <summary>
    /// Template names are keys: a repeat is reported at its own position. Read from the raw list so positions are the
    /// admin's even when some entries were not records; a name counts once it is a valid string.
    /// </summary>
    private static void UniqueNames(ConfigValues values, FieldReader config)
    {
        if (config.Raw("templates") is not JsonArray list)
        {
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject template && template["name"] is JsonValue value && value.TryGetValue<string>(out var name)
                && TextRules.Control(name) is null && !names.Add(name))
            {
                config.Errors.Add($"{config.PathOf("templates")}[{i}].name", $"template name '{name}' is used twice");
            }
        }
    }
}

/// <summary>One ai-prompt-template instance's configuration: the templates by name.</summary>
internal sealed record AiPromptTemplateOptions(Dictionary<string, string> Templates, bool AllowUntemplatedRequests, int MaxRequestBodySize);
