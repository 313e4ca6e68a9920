using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The official Anthropic Node.js SDK (tests/ai-sdk, at the version its package-lock.json pins) as a client of the
/// gateway: one Messages request per call, answered with what the SDK made of the response (tests/ai-sdk/messages.mjs).
/// </summary>
internal static class AnthropicSdk
{
    /// <summary>Runs messages.mjs with <paramref name="request"/> (baseURL, apiKey, model, max_tokens, messages, stream, tools, …).</summary>
    public static Task<JsonObject> RunAsync(object request) =>
        OpenAiSdk.RunScriptAsync(Path.Combine(RepoPaths.Root, "tests", "ai-sdk", "messages.mjs"), request);
}
