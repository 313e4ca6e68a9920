using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptGuard;

/// <summary>Kong's ai-prompt-guard: prompts matching a deny pattern, or no allow pattern when there are some, get 400.</summary>
internal sealed class AiPromptGuardPlugin : IGatewayPlugin
{
    public string Name => "ai-prompt-guard";

    public int Priority => 771;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var allow = config.Strings("allow_patterns", CheckPattern) ?? [];
        var deny = config.Strings("deny_patterns", CheckPattern) ?? [];
        if (allow.Length == 0 && deny.Length == 0 && config.Errors.Count == 0)
        {
            config.Error("@entity", "at least one of these fields must be non-empty: 'config.allow_patterns', 'config.deny_patterns'");
        }

        var result = new JsonObject
        {
            ["allow_patterns"] = new JsonArray([.. allow.Select(p => (JsonNode)p)]),
            ["deny_patterns"] = new JsonArray([.. deny.Select(p => (JsonNode)p)]),
            ["allow_all_conversation_history"] = config.Boolean("allow_all_conversation_history") ?? false,
            ["match_all_roles"] = config.Boolean("match_all_roles") ?? false,
            ["max_request_body_size"] = AiRequest.MaxBodySize(config),
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new AiPromptGuardHandler(
        [.. config["allow_patterns"]!.AsArray().Select(p => Compile(p!.GetValue<string>()))],
        [.. config["deny_patterns"]!.AsArray().Select(p => Compile(p!.GetValue<string>()))],
        config["allow_all_conversation_history"]!.GetValue<bool>(),
        config["match_all_roles"]!.GetValue<bool>(),
        config["max_request_body_size"]!.GetValue<int>());

    /// <summary>Patterns run with a time limit, so an administrator's pathological pattern cannot stall the edge.</summary>
    private static Regex Compile(string pattern) => new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    private static string? CheckPattern(string pattern)
    {
        if (pattern.Length is 0 or > 500)
        {
            return "length must be between 1 and 500";
        }

        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException ex)
        {
            return "invalid regex: " + ex.Message;
        }
    }
}
