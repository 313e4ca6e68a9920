namespace Turnpike.Edge.Ai;

/// <summary>A client's request that cannot be put into the provider's format (answered 400 in OpenAI's shape).</summary>
internal sealed class LlmRequestException(string message) : Exception(message);
