using Turnpike.Edge.Ai.Providers;

namespace Turnpike.Edge.Ai;

/// <summary>The providers ai-proxy can translate for, by the name <c>model.provider</c> gives.</summary>
internal static class LlmProviders
{
    public static readonly string[] Names = ["openai", "azure", "anthropic", "gemini", "mistral", "ollama"];

    private static readonly Dictionary<string, LlmProvider> ByName = new LlmProvider[]
    {
        new OpenAiProvider("openai"),
        new OpenAiProvider("azure"),
        new OpenAiProvider("mistral"),
        new AnthropicProvider(),
        new GeminiProvider(),
        new OllamaProvider(),
    }.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static LlmProvider Get(string name) => ByName[name];
}
