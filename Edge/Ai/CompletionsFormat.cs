using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// OpenAI's legacy completions (<c>llm/v1/completions</c>) for providers that only chat: the prompt goes as one
/// user message, and chat answers and chunks come back as <c>text_completion</c> objects.
/// </summary>
internal static class CompletionsFormat
{
    public static JsonObject ToChat(JsonObject completions)
    {
        var chat = (JsonObject)completions.DeepClone();
        var prompt = chat["prompt"] switch
        {
            JsonArray parts => string.Join("\n", parts.Select(AiJson.String)),
            var single => AiJson.String(single) ?? "",
        };
        chat.Remove("prompt");
        chat["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt });
        return chat;
    }

    /// <summary>A <c>chat.completion</c> or <c>chat.completion.chunk</c> as the matching <c>text_completion</c> object.</summary>
    public static JsonObject FromChat(JsonObject chat)
    {
        var choices = new JsonArray();
        foreach (var choice in chat["choices"] as JsonArray ?? [])
        {
            choices.Add(new JsonObject
            {
                ["text"] = AiJson.String(choice?["message"]?["content"]) ?? AiJson.String(choice?["delta"]?["content"]) ?? "",
                ["index"] = AiJson.Long(choice?["index"]),
                ["logprobs"] = null,
                ["finish_reason"] = AiJson.String(choice?["finish_reason"]),
            });
        }

        var completion = new JsonObject
        {
            ["id"] = chat["id"]?.DeepClone(),
            ["object"] = "text_completion",
            ["created"] = chat["created"]?.DeepClone(),
            ["model"] = chat["model"]?.DeepClone(),
            ["choices"] = choices,
        };
        if (chat["usage"] is JsonObject usage)
        {
            completion["usage"] = usage.DeepClone();
        }

        return completion;
    }
}
