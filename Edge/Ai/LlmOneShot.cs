using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Ai;

/// <summary>
/// One whole (unstreamed) chat call that a plugin makes for its own purpose — the AI transformers asking an LLM to
/// rewrite a body: a system prompt and the text, sent to the configured LLM as ai-proxy would send it, the reply's
/// text back. Its tokens and cost are metered to the request's consumer under the model's name, as ai-proxy's are,
/// and the call goes to the log's <c>ai</c> section under the plugin's name when the LLM's <c>logging</c> asks.
/// </summary>
/// <param name="pluginName">The plugin making the call: its key in the log's <c>ai</c> section.</param>
internal sealed class LlmOneShot(AiProxySettings settings, UpstreamClients clients, int timeoutMs, string pluginName)
{
    /// <summary>The largest answer read from the LLM: 2 MiB, far above what a model writes in one reply (a 128k-token answer is about 0.5 MiB).</summary>
    public const int MaxAnswerBytes = 2 * 1024 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The LLM's reply text to <paramref name="content"/> under <paramref name="prompt"/>, or why there is none.</summary>
    public async Task<(string? Reply, string? Failure)> AskAsync(ProxyContext context, string prompt, string content)
    {
        var modelName = settings.Model.Name!; // required by the transformers' schema
        var request = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = prompt },
                new JsonObject { ["role"] = "user", ["content"] = content }),
        };
        if (settings.Model.MaxTokens is { } max)
        {
            request["max_tokens"] = max;
        }

        if (settings.Model.Temperature is { } temperature)
        {
            request["temperature"] = temperature;
        }

        var payload = settings.Logging.Payloads ? new AiPayloadCapture(request.ToJsonString()) : null;
        var body = settings.Provider.ToProvider(request, modelName, stream: false, settings.Model);
        settings.Auth.ApplyBody(request, body);
        var http = context.HttpContext;
        using var upstream = new HttpRequestMessage(HttpMethod.Post, settings.Auth.ApplyQuery(http.Request, settings.Provider.Endpoint(settings.Model, modelName, stream: false, completions: false)))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())) { Headers = { ContentType = Json } },
        };
        settings.Provider.AddHeaders(upstream.Headers, settings.Model);
        settings.Auth.ApplyHeader(http.Request, upstream);
        using var timeout = new CancellationTokenSource(timeoutMs);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var client = clients.Get(timeoutMs).Invoker;
            using var response = await client.SendAsync(upstream, timeout.Token);
            var bytes = await BoundedBodies.ReadAsync(await response.Content.ReadAsStreamAsync(timeout.Token), response.Content.Headers.ContentLength, MaxAnswerBytes, timeout.Token);
            if (bytes is null)
            {
                Record(context, modelName, null, null, started, null);
                return (null, $"the answer is larger than {MaxAnswerBytes} bytes");
            }

            var answer = JsonNode.Parse(bytes) as JsonObject;
            if (!response.IsSuccessStatusCode || answer is null)
            {
                Record(context, modelName, AiUsage.None, null, started, null);
                return (null, answer is null ? "unreadable answer" : settings.Provider.Error(answer).Message);
            }

            var completion = settings.Provider.FromProvider(answer, ChatChunks.For(modelName));
            payload?.AddResponse(Encoding.UTF8.GetBytes(completion.ToJsonString()));
            Record(context, modelName, LlmProvider.UsageOf(completion), AiJson.String(completion["model"]), started, payload);
            return (AiJson.String(completion["choices"]?[0]?["message"]?["content"]) ?? "", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            Record(context, modelName, null, null, started, null);
            return (null, timeout.IsCancellationRequested ? "timeout" : ex.Message);
        }
    }

    /// <summary>Meters the call's tokens and cost to the request's consumer and keeps the call for the log phase.</summary>
    private void Record(ProxyContext context, string modelName, AiUsage? usage, string? responseModel, long started, AiPayloadCapture? payload)
    {
        var costNanos = AiMeterNames.Meter(context, settings.Model, modelName, usage);
        context.AddPluginLlmCall(new LlmCallRecord(settings.Model.Provider, modelName, usage, costNanos / 1e9, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds)
        {
            Namespace = pluginName,
            Logging = settings.Logging,
            PluginId = settings.PluginId,
            ResponseModel = responseModel,
            Payload = payload,
        });
    }
}
