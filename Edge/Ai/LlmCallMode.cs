using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>How an <see cref="LlmExchange"/> talks to the provider: the mode is the type, so no body is ever null by convention.</summary>
internal abstract record LlmCallMode
{
    /// <summary><c>preserve</c>: the client's method, path and body go to the provider as they are.</summary>
    public static readonly LlmCallMode Preserved = new PreservedCall();

    private sealed record PreservedCall : LlmCallMode;
}

/// <summary>The client's OpenAI-format request and the provider's translation of it, sent instead.</summary>
internal sealed record TranslatedCall(JsonObject ClientRequest, JsonObject ProviderRequest) : LlmCallMode;
