using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>A chat answer the provider completed, as an OpenAI <c>chat.completion</c> (a stream's assembled), and which model gave it with what usage.</summary>
internal sealed record LlmAnswer(JsonObject Completion, string Provider, string Model, AiUsage? Usage);
