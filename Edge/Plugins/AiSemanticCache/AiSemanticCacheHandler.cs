using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Edge.Plugins.ProxyCache;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiSemanticCache;

/// <summary>
/// Kong's ai-semantic-cache on the request path, after ai-proxy read and checked the chat (priority 765). With
/// <c>exact_caching</c> the prompt's key is looked up first, before any embeddings call; then the prompt is embedded
/// and the nearest stored prompt within <c>threshold</c> answers (<c>X-Cache-Status: Hit</c>, replayed in the
/// client's format, streamed when it asked to stream; the tokens it saves metered as <c>ai_tokens_saved</c>).
/// Otherwise the request goes on (<c>Miss</c>, or <c>Refresh</c> when a stored answer was too old for the client) and
/// the provider's complete answer is stored before its last bytes reach the client. A failed embeddings call or store
/// is a <c>Bypass</c> to the provider, or with <c>stop_on_failure</c> a 500.
/// </summary>
internal sealed class AiSemanticCacheHandler(
    AiSemanticCacheConfig config, string space, ISemanticCacheStore store, LlmEmbeddings embeddings, int maxAnswerSize, TimeProvider time, ILogger logger) : IPluginHandler
{
    public const string StatusHeader = "X-Cache-Status";
    public const string KeyHeader = "X-Cache-Key";
    public const string TtlHeader = "X-Cache-Ttl";
    public const string Failed = "semantic cache lookup failed: ";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        if (context.Ai is not { } ai || ai.Body["messages"] is not JsonArray || AiJson.Long(ai.Body["n"]) > 1)
        {
            // Not a chat ai-proxy read (no ai-proxy, another route type), or several choices: nothing this cache keeps.
            context.SetResponseHeader(StatusHeader, "Bypass");
            return true;
        }

        var cacheControl = config.CacheControl ? CacheControl.Parse(http.Request.Headers.CacheControl) : default;
        if (cacheControl.NoStore || SemanticCachePrompt.Build(ai.Body, space, config.Prompt) is not { } prompt)
        {
            context.SetResponseHeader(StatusHeader, "Bypass");
            return true;
        }

        context.SetResponseHeader(KeyHeader, prompt.Key);
        var status = cacheControl.NoCache ? "Refresh" : "Miss";
        var vectorDb = config.VectorDb;
        float[] vector;
        try
        {
            if (!cacheControl.NoCache && config.ExactCaching && await store.GetAsync(space, prompt.Key, http.RequestAborted) is { } exact)
            {
                if (await TryAnswerAsync(context, ai, exact, cacheControl))
                {
                    return false;
                }

                status = "Refresh";
            }

            var (raw, failure) = await embeddings.EmbedAsync(context, prompt.Text);
            (float[]? prepared, string? problem) = raw is null ? (null, "the embeddings call failed: " + failure) : SemanticVectors.Prepare(raw, vectorDb.Dimensions, vectorDb.Metric);
            if (prepared is null)
            {
                return await FailAsync(context, ai, problem!);
            }

            vector = prepared;
            if (!cacheControl.NoCache && await store.SearchAsync(space, vector, vectorDb.Metric, vectorDb.Threshold, http.RequestAborted) is { } hit)
            {
                if (await TryAnswerAsync(context, ai, hit.Answer, cacheControl))
                {
                    return false;
                }

                status = "Refresh";
            }
        }
        catch (Exception ex) when (StoreFault(ex))
        {
            return await FailAsync(context, ai, "the vector database failed: " + ex.Message);
        }

        context.SetResponseHeader(StatusHeader, status);
        context.SetResponseHeader(TtlHeader, config.CacheTtl.ToString(CultureInfo.InvariantCulture));
        ai.OnAnsweredAsync(answer => StoreAsync(prompt.Key, vector, answer));
        return true;
    }

    /// <summary>What a store may throw when its server is unreachable, slow or refuses (never a client's doing).</summary>
    private static bool StoreFault(Exception ex) => ex is RedisException or TimeoutException or IOException or SocketException or ObjectDisposedException;

    /// <summary>Answers from <paramref name="entry"/> when it is fresh enough for the client (its own max-age with <c>cache_control</c>).</summary>
    private async Task<bool> TryAnswerAsync(ProxyContext context, AiRequest ai, CachedAnswer entry, CacheControl cacheControl)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var age = entry.Age(now);
        if (entry.Expired(now) || (cacheControl.MaxAge is { } maxAge && age > maxAge) || Parse(entry.Completion) is not { } completion)
        {
            return false;
        }

        // Nothing was spent: reservations (ai-rate-limiting, ai-budget) go back whole.
        ai.Settle(AiUsage.None, 0);
        if (entry.Tokens > 0)
        {
            context.AddMeterCounter(AiMeterNames.TokensSaved + entry.ModelLabel, entry.Tokens);
        }

        context.AnswerFromCache(); // served, and billed so, as the provider's answer would have been
        context.SetResponseHeader(StatusHeader, "Hit");
        context.SetResponseHeader(TtlHeader, Math.Max(0, entry.Ttl - age).ToString(CultureInfo.InvariantCulture));
        context.SetResponseHeader("Age", age.ToString(CultureInfo.InvariantCulture));
        var body = ai.Body;
        await CachedAnswerReplay.WriteAsync(context.HttpContext, completion, ai.AnthropicClient, AiJson.True(body["stream"]), AiJson.True(body["stream_options"]?["include_usage"]));
        return true;
    }

    /// <summary>The lookup failed: on to the provider uncached, or with <c>stop_on_failure</c> a 500 in the client's format.</summary>
    private async Task<bool> FailAsync(ProxyContext context, AiRequest ai, string reason)
    {
        AiSemanticCacheLog.LookupFailed(logger, reason, config.StopOnFailure ? "answered 500 (stop_on_failure)" : "the request goes to the provider uncached");
        if (!config.StopOnFailure)
        {
            context.SetResponseHeader(StatusHeader, "Bypass");
            return true;
        }

        ai.Settle(AiUsage.None, 0);
        var http = context.HttpContext;
        var message = Failed + reason;
        await (ai.AnthropicClient
            ? AiErrors.WriteJsonAsync(http, StatusCodes.Status500InternalServerError, AnthropicClientFormat.Error(StatusCodes.Status500InternalServerError, message))
            : AiErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, message));
        return false;
    }

    /// <summary>Keeps the provider's answer; a store that fails costs only the entry (the client has its answer either way).</summary>
    private async Task StoreAsync(string key, float[] vector, LlmAnswer answer)
    {
        var json = answer.Completion.ToJsonString();
        if (json.Length > maxAnswerSize)
        {
            return;
        }

        var entry = new CachedAnswer(key, json, vector, time.GetUtcNow().ToUnixTimeSeconds(), config.CacheTtl, $"{answer.Provider}/{answer.Model}", answer.Usage?.TotalTokens ?? 0);
        try
        {
            await store.SetAsync(space, entry, CancellationToken.None);
        }
        catch (Exception ex) when (StoreFault(ex))
        {
            AiSemanticCacheLog.StoreFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    private static JsonObject? Parse(string completion)
    {
        try
        {
            return JsonNode.Parse(completion) as JsonObject is { } parsed && parsed["choices"] is JsonArray { Count: > 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null; // not what this cache wrote (a Redis shared with something else): a miss
        }
    }
}
