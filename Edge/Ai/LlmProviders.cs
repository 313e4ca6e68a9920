using Turnpike.Edge.Ai.Providers;

namespace Turnpike.Edge.Ai;

/// <summary>The providers ai-proxy can translate for, by the name <c>model.provider</c> gives.</summary>
internal static class LlmProviders
{
    /// <summary>Kong's provider names (<c>llama2</c> being any self-hosted model, by <c>llama2_format</c>), and <c>ollama</c> directly.</summary>
    public static readonly string[] Names = ["openai", "azure", "anthropic", "gemini", "mistral", "llama2", "ollama"];

    private static readonly Dictionary<string, LlmProvider> ByName = new LlmProvider[]
    {
        new OpenAiProvider("openai"),
        new OpenAiProvider("azure"),
        new OpenAiProvider("mistral"),
        new AnthropicProvider(),
        new GeminiProvider(),
        new OllamaProvider(),
    }.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The wire format for a configured provider: llama2 and mistral speak Ollama's or OpenAI's as their format option says.</summary>
    public static LlmProvider Get(string name, string? llama2Format, string? mistralFormat) => name switch
    {
        "llama2" => llama2Format == "openai" ? OpenAiCompatible : ByName["ollama"],
        "mistral" when mistralFormat == "ollama" => ByName["ollama"],
        _ => ByName[name],
    };

    /// <summary>A self-hosted model behind an OpenAI-compatible server (llama2_format openai).</summary>
    private static readonly LlmProvider OpenAiCompatible = new OpenAiProvider("openai-compatible");
}
