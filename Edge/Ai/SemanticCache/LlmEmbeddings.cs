using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// The call to the embeddings model (Kong's <c>embeddings</c>: a model and auth configured as ai-proxy's): one text,
/// sent in the provider's embeddings format, the vector back. Its tokens are metered to the request's consumer under
/// the embeddings model's name, as every AI call a plugin makes is. The answer is read up to a bound, so a misbehaving
/// endpoint cannot make the edge hold more than that.
/// </summary>
internal sealed class LlmEmbeddings(AiProxySettings settings, UpstreamClients clients, TimeSpan timeout)
{
    /// <summary>The most bytes of an embeddings answer read: 8,192 dimensions written as long decimals fit well within.</summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The embedding of <paramref name="text"/>, or why there is none.</summary>
    public async Task<(float[]? Vector, string? Failure)> EmbedAsync(ProxyContext context, string text)
    {
        var modelName = settings.Model.Name!; // required by the schema
        var request = new JsonObject { ["input"] = text };
        JsonObject body;
        try
        {
            body = settings.Provider.ToProviderEmbeddings(request, modelName);
        }
        catch (LlmRequestException ex)
        {
            return (null, ex.Message);
        }

        settings.Auth.ApplyBody(request, body);
        var http = context.HttpContext;
        using var upstream = new HttpRequestMessage(HttpMethod.Post, settings.Auth.ApplyQuery(http.Request, settings.Provider.EmbeddingsEndpoint(settings.Model, modelName)))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())) { Headers = { ContentType = Json } },
        };
        settings.Provider.AddHeaders(upstream.Headers, settings.Model);
        settings.Auth.ApplyHeader(http.Request, upstream);
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            var client = clients.Get((int)timeout.TotalMilliseconds).Invoker;
            using var response = await client.SendAsync(upstream, expiry.Token);
            var bytes = await ReadBoundedAsync(await response.Content.ReadAsStreamAsync(expiry.Token), expiry.Token);
            var answer = bytes is null ? null : JsonNode.Parse(bytes) as JsonObject;
            if (!response.IsSuccessStatusCode || answer is null)
            {
                return (null, answer is null ? "unreadable answer" : settings.Provider.Error(answer).Message);
            }

            var (list, usage) = settings.Provider.FromProviderEmbeddings(answer, request, modelName);
            Meter(context, modelName, usage);
            return list["data"]?[0]?["embedding"] is JsonArray values ? (EmbeddingsFormat.Vector(values), null) : (null, "the answer holds no embedding");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException or IOException or FormatException)
        {
            return (null, expiry.IsCancellationRequested ? "timeout" : ex.Message);
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxAnswerBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }

    private void Meter(ProxyContext context, string modelName, AiUsage? usage)
    {
        if (usage is not { PromptTokens: > 0 } used)
        {
            return;
        }

        var label = $"{settings.Model.Provider}/{modelName}";
        context.AddMeterCounter(AiMeterNames.PromptTokens + label, used.PromptTokens);
        if (AiMeterNames.CostNanos(used, settings.Model) is > 0 and var cost)
        {
            context.AddMeterCounter(AiMeterNames.Cost + label, cost);
        }
    }
}
