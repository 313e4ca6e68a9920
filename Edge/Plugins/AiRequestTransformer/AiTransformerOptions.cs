using System.Text.RegularExpressions;
using Turnpike.Edge.Ai;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>One AI transformer instance's configuration (ai-request-transformer's, or ai-response-transformer's with <see cref="ParseJsonInstructions"/>).</summary>
internal sealed record AiTransformerOptions(string Prompt, Regex? ExtractPattern, AiProxySettings Llm, int HttpTimeoutMs, int MaxBodySize, bool ParseJsonInstructions);
