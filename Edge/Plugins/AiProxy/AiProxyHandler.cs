using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiProxy;

/// <summary>
/// Checks the client's request against the instance (format, model, streaming), fills in the model options the
/// client left out, and hands the exchange with the provider to an <see cref="LlmExchange"/>.
/// </summary>
internal sealed class AiProxyHandler(AiProxySettings settings, ILogger logger, int maxBodyBytes, bool anthropicClients = false) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (settings.RouteType == LlmRouteType.Preserve)
        {
            // The provider's own format, any method and body: nothing to check or translate.
            context.Exchange = new LlmExchange(settings, LlmCallMode.Preserved, settings.Model.Name ?? "unknown", stream: false, includeUsage: false, logger);
            return true;
        }

        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai || (anthropicClients && !await FromAnthropicAsync(context, ai)))
        {
            return false;
        }

        var (exchange, problem) = Prepare(settings, ai.Body, logger);
        if (exchange is null)
        {
            await BadRequestAsync(context, ai, problem!);
            return false;
        }

        if (!await ai.ReserveAsync(context, [settings.Model]))
        {
            return false;
        }

        context.Exchange = exchange;
        return true;
    }

    /// <summary><c>llm_format: anthropic</c>: the client's Messages body becomes the OpenAI-format request; false after a 400 in Anthropic's shape.</summary>
    internal static async ValueTask<bool> FromAnthropicAsync(ProxyContext context, AiRequest ai)
    {
        if (ai.AnthropicClient)
        {
            return true;
        }

        var (request, problem) = AnthropicClientFormat.ToOpenAi(ai.Body);
        if (request is null)
        {
            await AiErrors.WriteJsonAsync(context.HttpContext, StatusCodes.Status400BadRequest, AnthropicClientFormat.Error(StatusCodes.Status400BadRequest, problem!));
            return false;
        }

        ai.FromAnthropic(request);
        return true;
    }

    /// <summary>A request the instance cannot take: 400 in the client's format.</summary>
    internal static Task BadRequestAsync(ProxyContext context, AiRequest ai, string problem) => ai.AnthropicClient
        ? AiErrors.WriteJsonAsync(context.HttpContext, StatusCodes.Status400BadRequest, AnthropicClientFormat.Error(StatusCodes.Status400BadRequest, problem))
        : AiErrors.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, problem);

    /// <summary>
    /// The exchange for <paramref name="body"/> on an instance (or one of ai-proxy-advanced's targets), or why the
    /// request cannot go to it (a 400 for the client): format, model, streaming, the provider's translation.
    /// </summary>
    internal static (LlmExchange? Exchange, string? Problem) Prepare(AiProxySettings settings, JsonObject body, ILogger logger)
    {
        var problem = settings.RouteType switch
        {
            LlmRouteType.Chat when body["messages"] is not JsonArray { Count: > 0 } => "request format not recognised: 'messages' must be a non-empty array for llm/v1/chat",
            LlmRouteType.Completions when AiJson.String(body["prompt"]) is null && body["prompt"] is not JsonArray => "request format not recognised: 'prompt' is required for llm/v1/completions",
            LlmRouteType.Embeddings when AiJson.String(body["input"]) is null && body["input"] is not JsonArray { Count: > 0 } => "request format not recognised: 'input' is required for llm/v1/embeddings",
            _ => null,
        };
        if (problem is not null)
        {
            return (null, problem);
        }

        var model = settings.Model;
        var requested = AiJson.String(body["model"]);
        if (model.Name is { } configured && requested is not null && requested != configured && !model.AllowOverride)
        {
            return (null, "cannot use own model - must be: " + configured);
        }

        if (((model.AllowOverride ? requested : null) ?? model.Name ?? requested) is not { } modelName)
        {
            return (null, "model parameter not found in request, nor in gateway configuration");
        }

        if (settings.RouteType == LlmRouteType.Embeddings)
        {
            // Nothing to fill in or stream: the texts go to the provider's embeddings endpoint.
            try
            {
                return (new LlmExchange(settings, new TranslatedCall(body, settings.Provider.ToProviderEmbeddings(body, modelName)), modelName, stream: false, includeUsage: false, logger), null);
            }
            catch (LlmRequestException ex)
            {
                return (null, ex.Message);
            }
        }

        var stream = AiJson.True(body["stream"]);
        if (stream && settings.ResponseStreaming == LlmResponseStreaming.Deny)
        {
            return (null, "response streaming is not enabled for this LLM");
        }

        stream |= settings.ResponseStreaming == LlmResponseStreaming.Always;
        var includeUsage = AiJson.True(body["stream_options"]?["include_usage"]);
        if (AiJson.Long(body["n"]) > 1 && !settings.Provider.HasChoices)
        {
            return (null, $"n > 1 is not supported for the {settings.Model.Provider} provider");
        }

        var request = WithOptions(settings, body);
        JsonObject providerRequest;
        try
        {
            var chat = settings.RouteType == LlmRouteType.Completions && !settings.Provider.HasCompletions ? CompletionsFormat.ToChat(request) : request;
            providerRequest = settings.Provider.ToProvider(chat, modelName, stream, model);
        }
        catch (LlmRequestException ex)
        {
            return (null, ex.Message);
        }

        return (new LlmExchange(settings, new TranslatedCall(request, providerRequest), modelName, stream, includeUsage, logger), null);
    }

    /// <summary>The model options fill in what the client did not set (Kong's merge of configured defaults).</summary>
    private static JsonObject WithOptions(AiProxySettings settings, JsonObject body)
    {
        var model = settings.Model;
        var request = (JsonObject)body.DeepClone();
        if (model.MaxTokens is { } max && request["max_tokens"] is null && request["max_completion_tokens"] is null)
        {
            request["max_tokens"] = max;
        }

        if (model.Temperature is { } temperature && request["temperature"] is null)
        {
            request["temperature"] = temperature;
        }

        if (model.TopP is { } topP && request["top_p"] is null)
        {
            request["top_p"] = topP;
        }

        if (model.TopK is { } topK && request["top_k"] is null && settings.Provider.HasTopK)
        {
            request["top_k"] = topK;
        }

        return request;
    }
}
