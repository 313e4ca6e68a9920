using System.Text.RegularExpressions;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>What ai-request-transformer and ai-response-transformer share (Kong's fields): the prompt, the LLM, the extract pattern, timeouts.</summary>
internal static class AiTransformerFields
{
    public static readonly ConfigField<string> Prompt = Field.RequiredString("prompt", multiLine: true);

    public static readonly ConfigField<string?> ExtractPattern = Field.String("transformation_extract_pattern").Check(CheckPattern);

    /// <summary>The LLM's settings, made when bound (a record's empty default binds too, and names no provider).</summary>
    public static readonly ConfigField<Func<AiProxySettings>> Llm = Field.Record(
        "llm",
        new ConfigSchema<Func<AiProxySettings>>(
            [
                .. AiProxyPlugin.LlmSteps,
                ConfigCheck.Entity((c, r) => r.Errors.Count == 0 && c.Get(AiProxyPlugin.RouteType) != "llm/v1/chat" ? "route_type must be 'llm/v1/chat' for the AI transformers" : null),
                ConfigCheck.Entity((c, r) => r.Errors.Count == 0 && AiProxyPlugin.Settings(c, "deny", false).Model.Name is null ? "must set 'model.name' for the AI transformers" : null),
                AiProxyPlugin.Logging,
            ],
            c => () => AiProxyPlugin.Settings(c, "deny", false)),
        required: true);

    public static readonly ConfigField<int> HttpTimeout = Field.Integer("http_timeout", 1, int.MaxValue).Default(60_000);

    // Accepted so Kong configurations load: provider endpoints are verified against the system's roots, and no proxy is used.
    public static readonly ConfigField<bool> HttpsVerify = Field.Boolean("https_verify").Default(true);
    public static readonly ConfigField<string?> HttpProxyHost = Field.String("http_proxy_host");
    public static readonly ConfigField<int?> HttpProxyPort = Field.Integer("http_proxy_port", 0, 65535);
    public static readonly ConfigField<string?> HttpsProxyHost = Field.String("https_proxy_host");
    public static readonly ConfigField<int?> HttpsProxyPort = Field.Integer("https_proxy_port", 0, 65535);

    public static ConfigStep[] Common => [Prompt, ExtractPattern, Llm, HttpTimeout, HttpsVerify, HttpProxyHost, HttpProxyPort, HttpsProxyHost, HttpsProxyPort, AiRequest.MaxBodySize];

    /// <summary>An instance's options from the values <see cref="Common"/> read.</summary>
    public static AiTransformerOptions Bind(ConfigValues c, bool parseJsonInstructions) => new(
        c.Get(Prompt),
        Compile(c.Get(ExtractPattern)),
        c.Get(Llm)(),
        c.Get(HttpTimeout),
        c.Get(AiRequest.MaxBodySize),
        parseJsonInstructions);

    /// <summary>The pattern's first match in <paramref name="reply"/> (the whole reply without a pattern); null when it does not match.</summary>
    public static string? Extract(Regex? pattern, string reply)
    {
        if (pattern is null)
        {
            return reply;
        }

        try
        {
            var match = pattern.Match(reply);
            return match.Success ? match.Value : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    public static Regex? Compile(string? pattern) => pattern is null ? null : new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    private static string? CheckPattern(string? pattern)
    {
        if (pattern is null)
        {
            return null;
        }

        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException ex)
        {
            return "invalid regular expression: " + ex.Message;
        }
    }
}
