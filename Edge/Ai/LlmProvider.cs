using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// One LLM provider's wire format: where requests go, how an OpenAI chat request becomes the provider's, and how
/// its answers (whole, streamed, or errors) become OpenAI's again.
/// </summary>
internal abstract class LlmProvider
{
    public abstract string Name { get; }

    /// <summary>Whether the provider speaks OpenAI's legacy completions itself; otherwise they are sent as a one-message chat.</summary>
    public virtual bool HasCompletions => false;

    /// <summary>Whether the provider answers several choices (<c>n</c> &gt; 1); the translations read one candidate.</summary>
    public virtual bool HasChoices => false;

    /// <summary>Whether the provider takes <c>top_k</c>.</summary>
    public virtual bool HasTopK => true;

    /// <summary>The endpoint: <see cref="LlmModel.UpstreamUrl"/> when configured, else the provider's public one.</summary>
    public abstract Uri Endpoint(LlmModel model, string modelName, bool stream, bool completions);

    /// <summary>Headers the provider requires besides the credential (kept when the client's own came through, as with preserve).</summary>
    public virtual void AddHeaders(HttpRequestHeaders headers, LlmModel model)
    {
    }

    /// <summary>The provider's request for an OpenAI-format <paramref name="request"/> (chat, or completions where <see cref="HasCompletions"/>).</summary>
    public abstract JsonObject ToProvider(JsonObject request, string modelName, bool stream, LlmModel model);

    /// <summary>An OpenAI <c>chat.completion</c> (or the native completions object, passed through) from the provider's whole answer.</summary>
    public abstract JsonObject FromProvider(JsonObject response, ChatChunks ids);

    public abstract LlmStream OpenStream(ChatChunks chunks);

    /// <summary>The message (and kind, when the provider names one) of the provider's error body.</summary>
    public abstract (string Message, string? Type) Error(JsonNode? body);

    /// <summary>Whether the provider offers embeddings (<c>llm/v1/embeddings</c>).</summary>
    public virtual bool HasEmbeddings => false;

    /// <summary>The embeddings endpoint: <see cref="LlmModel.UpstreamUrl"/> when configured, else the provider's public one.</summary>
    public virtual Uri EmbeddingsEndpoint(LlmModel model, string modelName) => throw new NotSupportedException(Name + " has no embeddings");

    /// <summary>The provider's embeddings request for OpenAI's (<c>input</c>: a text or a list of texts); OpenAI's format passes with the model set.</summary>
    public virtual JsonObject ToProviderEmbeddings(JsonObject request, string modelName)
    {
        var body = (JsonObject)request.DeepClone();
        body["model"] = modelName;
        return body;
    }

    /// <summary>OpenAI's embeddings <c>list</c> and its usage from the provider's answer to <paramref name="request"/> (the client's).</summary>
    public virtual (JsonObject Response, AiUsage? Usage) FromProviderEmbeddings(JsonObject response, JsonObject request, string modelName) =>
        (response, AiUsage.FromOpenAi(response["usage"]));

    /// <summary>The usage of a whole answer, read from the translated form.</summary>
    public static AiUsage? UsageOf(JsonObject completion) => AiUsage.FromOpenAi(completion["usage"]);

    protected static Uri Configured(LlmModel model, string fallback) => new(model.UpstreamUrl ?? fallback);
}
