namespace Turnpike.Edge.Ai;

/// <summary>ai-proxy's <c>response_streaming</c>: whether clients may stream (allow), may not (deny), or always do.</summary>
internal enum LlmResponseStreaming
{
    Allow,
    Deny,
    Always,
}
