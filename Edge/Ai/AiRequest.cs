using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Ai;

/// <summary>
/// An LLM request as the AI plugins of one route share it: the client's JSON body (OpenAI's format), read once,
/// changed in turn by the prompt plugins, then translated by ai-proxy; and, once the response is complete, the
/// tokens it used, handed to whoever reserved tokens for it (ai-rate-limiting).
/// </summary>
internal sealed class AiRequest(JsonObject body)
{
    /// <summary>The largest body the AI plugins read (Kong's max_request_body_size, here one default for all of them).</summary>
    public const int MaxBodyBytes = 1 << 20;

    public const string NotJson = "this LLM route only supports application/json requests";

    private List<Action<AiUsage?>>? _settlements;
    private int _settled;

    public JsonObject Body { get; private set; } = body;

    /// <summary>The tokens the provider reported; null until the response is complete, or when it reported none.</summary>
    public AiUsage? Usage { get; private set; }

    /// <summary>True once a prompt plugin rewrote the body.</summary>
    public bool Changed { get; private set; }

    /// <summary>
    /// The request's AI state, reading the body the first time; null when the body is not a JSON object, after
    /// answering 400 (413 when larger than <see cref="MaxBodyBytes"/>).
    /// </summary>
    public static async ValueTask<AiRequest?> ReadAsync(ProxyContext context)
    {
        if (context.Ai is { } known)
        {
            return known;
        }

        var http = context.HttpContext;
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
                return null;
            }
        }

        JsonObject? body = null;
        if (http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? true)
        {
            try
            {
                body = JsonNode.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).Span) as JsonObject;
            }
            catch (JsonException)
            {
            }
        }

        if (body is null)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, NotJson);
            return null;
        }

        var request = new AiRequest(body);
        context.Ai = request;
        SetUpstreamBody(http, buffer.ToArray());
        return request;
    }

    /// <summary>Replaces the body (a prompt plugin's rewrite); the upstream gets the new one unless ai-proxy translates it first.</summary>
    public void Replace(HttpContext http, JsonObject body)
    {
        Body = body;
        Changed = true;
        SetUpstreamBody(http, Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    /// <summary>Called by whoever reserved tokens for this request, once its usage is known.</summary>
    public void OnSettled(Action<AiUsage?> settle) => (_settlements ??= []).Add(settle);

    /// <summary>The response is over: records the usage (null when unknown) and settles every reservation once.</summary>
    public void Settle(AiUsage? usage)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return;
        }

        Usage = usage;
        var settlements = Interlocked.Exchange(ref _settlements, null);
        foreach (var settle in settlements ?? [])
        {
            settle(usage);
        }
    }

    /// <summary>The body was read off the client's stream; a plain forward (no ai-proxy on the route) still needs one to send.</summary>
    private static void SetUpstreamBody(HttpContext http, byte[] bytes)
    {
        http.Request.Body = new MemoryStream(bytes, writable: false);
        http.Request.ContentLength = bytes.Length;
        http.Request.Headers.Remove("Transfer-Encoding");
    }
}
