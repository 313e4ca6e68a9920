namespace Turnpike.Edge.Ai;

/// <summary>The provider reported an error in the middle of a stream (Anthropic's <c>error</c> event, say).</summary>
internal sealed class LlmStreamException(string message) : Exception(message);
