using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// A stored <c>chat.completion</c> sent to the client as the provider's answer would have been: whole, or, when the
/// client asked to stream, as a stream of chunks (text in pieces, tool calls, the finish, the usage when asked for,
/// <c>[DONE]</c>); in OpenAI's format, or Anthropic's (message, or its SSE events) for <c>llm_format: anthropic</c>.
/// </summary>
internal static class CachedAnswerReplay
{
    /// <summary>Streamed text goes in pieces of about this many characters, as a model's tokens would.</summary>
    private const int PieceLength = 32;

    public static async Task WriteAsync(HttpContext http, JsonObject completion, bool anthropic, bool stream, bool includeUsage)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        byte[] bytes;
        if (!stream)
        {
            response.ContentType = "application/json";
            bytes = Encoding.UTF8.GetBytes((anthropic ? AnthropicClientFormat.FromCompletion(completion) : completion).ToJsonString());
            response.ContentLength = bytes.Length;
        }
        else
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            bytes = Encoding.UTF8.GetBytes(Events(completion, anthropic, includeUsage));
            response.ContentLength = bytes.Length; // the whole stream is at hand: its length is known (and metered)
        }

        await response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    /// <summary>The stream's whole text: the chunks a provider's stream is translated into, in the client's format.</summary>
    public static string Events(JsonObject completion, bool anthropic, bool includeUsage)
    {
        var model = AiJson.String(completion["model"]) ?? "";
        var ids = new ChatChunks(AiJson.String(completion["id"]) ?? "chatcmpl-" + Guid.NewGuid().ToString("N"), AiJson.Long(completion["created"]), model);
        var choice = completion["choices"]?[0];
        var message = choice?["message"];
        var chunks = new List<JsonObject> { ids.Role() };
        var text = AiJson.String(message?["content"]) ?? "";
        for (var i = 0; i < text.Length; i += PieceLength)
        {
            var end = Math.Min(text.Length, i + PieceLength);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            {
                end++; // never split a surrogate pair
            }

            chunks.Add(ids.Text(text[i..end]));
            i = end - PieceLength;
        }

        var index = 0;
        foreach (var call in message?["tool_calls"] as JsonArray ?? [])
        {
            chunks.Add(ids.ToolCall(index++, AiJson.String(call?["id"]) ?? ChatChunks.NewToolCallId(), AiJson.String(call?["function"]?["name"]) ?? "", AiJson.String(call?["function"]?["arguments"]) ?? ""));
        }

        chunks.Add(ids.Finish(AiJson.String(choice?["finish_reason"]) ?? "stop"));
        var usage = AiUsage.FromOpenAi(completion["usage"]);
        var output = new StringBuilder();
        if (anthropic)
        {
            var events = new AnthropicEventStream(model);
            foreach (var chunk in chunks)
            {
                events.Add(chunk, output);
            }

            events.End(usage, output);
            return output.ToString();
        }

        if (includeUsage && usage is { } used)
        {
            chunks.Add(ids.Usage(used));
        }

        foreach (var chunk in chunks)
        {
            output.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");
        }

        return output.Append("data: [DONE]\n\n").ToString();
    }
}
