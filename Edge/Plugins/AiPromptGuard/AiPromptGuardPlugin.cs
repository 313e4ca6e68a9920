using System.Text.RegularExpressions;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiPromptGuard;

/// <summary>Kong's ai-prompt-guard: prompts matching a deny pattern, or no allow pattern when there are some, get 400.</summary>
internal sealed class AiPromptGuardPlugin : GatewayPlugin<AiPromptGuardOptions>
{
    private static readonly ConfigField<string[]> AllowPatterns = Field.Strings("allow_patterns", CheckPattern).Default();
    private static readonly ConfigField<string[]> DenyPatterns = Field.Strings("deny_patterns", CheckPattern).Default();
    private static readonly ConfigField<bool> AllowAllConversationHistory = Field.Boolean("allow_all_conversation_history").Default(false);
    private static readonly ConfigField<bool> MatchAllRoles = Field.Boolean("match_all_roles").Default(false);

    private static readonly ConfigSchema<AiPromptGuardOptions> Schema = new(
        [
            AllowPatterns, DenyPatterns,
            // Only when the patterns read cleanly: a refused pattern is reason enough.
            ConfigCheck.AtLeastOneOf(
                (c, r) => c.Get(AllowPatterns).Length == 0 && c.Get(DenyPatterns).Length == 0 && r.Errors.Count == 0,
                AllowPatterns.Name,
                DenyPatterns.Name),
            AllowAllConversationHistory, MatchAllRoles, AiRequest.MaxBodySize,
        ],
        c => new(
            [.. c.Get(AllowPatterns).Select(Compile)],
            [.. c.Get(DenyPatterns).Select(Compile)],
            c.Get(AllowAllConversationHistory),
            c.Get(MatchAllRoles),
            c.Get(AiRequest.MaxBodySize)));

    public override string Name => "ai-prompt-guard";

    public override int Priority => 771;

    public override ConfigSchema<AiPromptGuardOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiPromptGuardOptions options, Guid instanceId) => new AiPromptGuardHandler(
        options.Allow, options.Deny, options.AllowAllConversationHistory, options.MatchAllRoles, options.MaxRequestBodySize);

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

/// <summary>One ai-prompt-guard instance's configuration, the patterns compiled once.</summary>
internal sealed record AiPromptGuardOptions(Regex[] Allow, Regex[] Deny, bool AllowAllConversationHistory, bool MatchAllRoles, int MaxRequestBodySize);
