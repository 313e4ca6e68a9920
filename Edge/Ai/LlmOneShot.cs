using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Ai;

/// <summary>
/// One whole (unstreamed) chat call that a plugin makes for its own purpose — the AI transformers asking an LLM to
/// rewrite a body: a system prompt and the text, sent to the configured LLM as ai-proxy would send it, the reply's
/// text back. Its tokens and cost are metered to the request's consumer under the model's name, as ai-proxy's are.
/// </summary>
internal sealed class LlmOneShot(AiProxySettings settings, UpstreamClients clients, int timeoutMs)
{
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
        try
        {
            var client = clients.Get(timeoutMs).Invoker;
            using var response = await client.SendAsync(upstream, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var answer = JsonNode.Parse(text) as JsonObject;
            if (!response.IsSuccessStatusCode || answer is null)
            {
                return (null, answer is null ? "unreadable answer" : settings.Provider.Error(answer).Message);
            }

            var completion = settings.Provider.FromProvider(answer, ChatChunks.For(modelName));
            Meter(context, modelName, LlmProvider.UsageOf(completion));
            return (AiJson.String(completion["choices"]?[0]?["message"]?["content"]) ?? "", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return (null, timeout.IsCancellationRequested ? "timeout" : ex.Message);
        }
    }

    private void Meter(ProxyContext context, string modelName, AiUsage? usage)
    {
        if (usage is not { } used || used == AiUsage.None)
        {
            return;
        }

        var label = $"{settings.Model.Provider}/{modelName}";
        context.AddMeterCounter(AiMeterNames.PromptTokens + label, used.PromptTokens);
        context.AddMeterCounter(AiMeterNames.CompletionTokens + label, used.CompletionTokens);
        if (AiMeterNames.CostNanos(used, settings.Model) is > 0 and var cost)
        {
            context.AddMeterCounter(AiMeterNames.Cost + label, cost);
        }
    }
}
