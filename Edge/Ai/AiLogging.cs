namespace Turnpike.Edge.Ai;

/// <summary>
/// Kong's <c>logging</c> record of an LLM's configuration: <c>log_statistics</c> puts the call's model, tokens, cost
/// and latency in the logging plugins' <c>ai</c> section, <c>log_payloads</c> the request and response bodies.
/// </summary>
internal sealed record AiLogging(bool Statistics, bool Payloads)
{
    public static readonly AiLogging Off = new(false, false);

    /// <summary>True when a logging plugin has anything to write for a call under this setting.</summary>
    public bool Any => Statistics || Payloads;
}
