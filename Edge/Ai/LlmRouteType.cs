namespace Turnpike.Edge.Ai;

/// <summary>ai-proxy's <c>route_type</c>: what the client speaks.</summary>
internal enum LlmRouteType
{
    /// <summary><c>llm/v1/chat</c>: OpenAI chat completions, translated to and from the provider.</summary>
    Chat,

    /// <summary><c>llm/v1/completions</c>: OpenAI's legacy completions.</summary>
    Completions,

    /// <summary><c>llm/v1/embeddings</c>: OpenAI's embeddings, for providers that offer them.</summary>
    Embeddings,

    /// <summary><c>preserve</c>: the provider's own format, passed through with the credential added; usage still read.</summary>
    Preserve,
}
