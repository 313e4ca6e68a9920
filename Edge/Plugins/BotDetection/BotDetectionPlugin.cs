using System.Text.RegularExpressions;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.BotDetection;

/// <summary>
/// Kong's bot-detection: refuses (403) User-Agents that match <c>deny</c> or the built-in list of bots
/// (<see cref="KnownBots"/>) unless they match <c>allow</c>. The patterns are checked on write to run in linear time
/// (the route regex rules, <see cref="RouteRegex"/>).
/// </summary>
internal sealed class BotDetectionPlugin : GatewayPlugin<BotDetectionOptions>
{
    private static readonly ConfigField<string[]> Allow = Field.Strings("allow", Pattern).Default();
    private static readonly ConfigField<string[]> Deny = Field.Strings("deny", Pattern).Default();

    private static readonly ConfigSchema<BotDetectionOptions> Schema = new(
        [Allow, Deny],
        c => new([.. c.Get(Allow).Select(p => RouteRegex.Create(p))], [.. c.Get(Deny).Select(p => RouteRegex.Create(p))]));

    public override string Name => "bot-detection";

    public override int Priority => 2500;

    public override ConfigSchema<BotDetectionOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(BotDetectionOptions options, Guid instanceId) => new BotDetectionHandler(options);

    private static string? Pattern(string pattern) => pattern.Length == 0 ? "length must be at least 1" : RouteRegex.Problem(pattern);
}

/// <summary>One bot-detection instance's compiled patterns.</summary>
internal sealed record BotDetectionOptions(Regex[] Allow, Regex[] Deny);
