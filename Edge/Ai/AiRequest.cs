using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Ai;

/// <summary>
/// An LLM request as the AI plugins of one route share it: the client's JSON body (OpenAI's format), read once,
/// changed in turn by the prompt plugins, then translated by ai-proxy; and, once the response is complete, the
/// tokens it used, handed to whoever reserved tokens for it (ai-rate-limiting).
/// </summary>
internal sealed class AiRequest(JsonObject body)
{
    /// <summary>The AI plugins' default <c>max_request_body_size</c>: 1 MiB (Kong's 8 KiB is short for a chat with history).</summary>
    public const int DefaultMaxBodyBytes = 1 << 20;

    /// <summary>Every AI plugin's <c>max_request_body_size</c> (bytes; 0 for no limit), declared once for all of them.</summary>
    public static readonly ConfigField<int> MaxBodySize = Field.Integer("max_request_body_size", 0, int.MaxValue).Default(DefaultMaxBodyBytes);

    public const string NotJson = "this LLM route only supports application/json requests";

    private List<Action<AiUsage?>>? _settlements;
    private List<Action<long?>>? _costSettlements;
    private List<Func<ProxyContext, AiCallEstimate, ValueTask<bool>>>? _reservations;
    private Func<LlmAnswer, Task>? _answered;
    private int _settled;

    public JsonObject Body { get; private set; } = body;

    /// <summary>The tokens the provider reported; null until the response is complete, or when they are unknown.</summary>
    public AiUsage? Usage { get; private set; }

    /// <summary>True once a prompt plugin rewrote the body.</summary>
    public bool Changed { get; private set; }

    /// <summary>True once ai-proxy took the body for Anthropic's Messages format (<c>llm_format: anthropic</c>): the answer goes back in it.</summary>
    public bool AnthropicClient { get; private set; }

    /// <summary>The size of the body as the client sent it.</summary>
    public long Length { get; private init; }

    /// <summary>
    /// The request's AI state, reading the body the first time; null when the body is not a JSON object, after
    /// answering 400, or is larger than the calling plugin's <paramref name="maxBytes"/> (0: no limit), after answering 413.
    /// </summary>
    public static async ValueTask<AiRequest?> ReadAsync(ProxyContext context, int maxBytes)
    {
        var http = context.HttpContext;
        maxBytes = maxBytes == 0 ? int.MaxValue : maxBytes;
        if (context.Ai is { } known)
        {
            if (known.Length > maxBytes)
            {
                await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
                return null;
            }

            return known;
        }

        if (http.Request.ContentLength > maxBytes)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
            return null;
        }

        // Sized by Content-Length when the client gave one, so a body is copied once.
        using var buffer = new MemoryStream(http.Request.ContentLength is { } declared ? (int)Math.Min(declared, DefaultMaxBodyBytes) : 0);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
                    return null;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
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

        var request = new AiRequest(body) { Length = buffer.Length };
        context.Ai = request;
        SetUpstreamBody(http, buffer.GetBuffer(), (int)buffer.Length); // the array outlives the MemoryStream
        return request;
    }

    /// <summary>Replaces the body (a prompt plugin's rewrite); the upstream gets the new one unless ai-proxy translates it first.</summary>
    public void Replace(HttpContext http, JsonObject body)
    {
        Body = body;
        Changed = true;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        SetUpstreamBody(http, bytes, bytes.Length);
    }

    /// <summary>The cost of the call in billionths of the currency unit, at the answering model's prices; null until settled, or unknown.</summary>
    public long? CostNanos { get; private set; }

    /// <summary>The client's Anthropic Messages body, translated to OpenAI's format (<see cref="AnthropicClientFormat"/>), becomes the request.</summary>
    public void FromAnthropic(JsonObject openAiBody)
    {
        Body = openAiBody;
        AnthropicClient = true;
    }

    /// <summary>True once a plugin asked for the chat answer (<see cref="OnAnsweredAsync"/>): only then does a stream get assembled.</summary>
    public bool WantsAnswer => _answered is not null;

    /// <summary>
    /// Asks for the provider's complete chat answer (a stream's once it ended well), before its last bytes reach the
    /// client: ai-semantic-cache stores it. Not called for errors, broken streams or answers abandoned for another target.
    /// </summary>
    public void OnAnsweredAsync(Func<LlmAnswer, Task> observe) => _answered += observe;

    /// <summary>Hands a complete answer to whoever asked (<see cref="OnAnsweredAsync"/>).</summary>
    public Task AnsweredAsync(LlmAnswer answer) => _answered?.Invoke(answer) ?? Task.CompletedTask;

    /// <summary>Called by whoever reserved tokens for this request, once its usage is known.</summary>
    public void OnSettled(Action<AiUsage?> settle) => (_settlements ??= []).Add(settle);

    /// <summary>Called by whoever reserved money for this request (ai-budget) with its cost in nanos once known; null when unknown.</summary>
    public void OnCostSettled(Action<long?> settle) => (_costSettlements ??= []).Add(settle);

    /// <summary>
    /// Asks for a reservation that needs to know which models may answer (ai-budget prices the call): ai-proxy and
    /// ai-proxy-advanced run <see cref="ReserveAsync"/> once they know, before the call. The callback answers the
    /// client and returns false to refuse the request.
    /// </summary>
    public void OnReserve(Func<ProxyContext, AiCallEstimate, ValueTask<bool>> reserve) => (_reservations ??= []).Add(reserve);

    /// <summary>Runs the reservations asked for with <see cref="OnReserve"/>; false when one refused (and answered) the request.</summary>
    public async ValueTask<bool> ReserveAsync(ProxyContext context, IReadOnlyList<LlmModel> models)
    {
        if (_reservations is not { } reservations)
        {
            return true;
        }

        var estimate = new AiCallEstimate(Body, models);
        foreach (var reserve in reservations)
        {
            if (!await reserve(context, estimate))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The response is over: records the usage and settles every reservation once. Null means unknown (the provider
    /// took the request but its usage never came): reservations then stand as taken.
    /// </summary>
    /// <param name="costNanos">What the usage cost at the answering model's prices (0 when nothing was used; null when unknown).</param>
    public void Settle(AiUsage? usage, long? costNanos)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return;
        }

        Usage = usage;
        CostNanos = costNanos;
        var settlements = Interlocked.Exchange(ref _settlements, null);
        foreach (var settle in settlements ?? [])
        {
            settle(usage);
        }

        var costSettlements = Interlocked.Exchange(ref _costSettlements, null);
        foreach (var settle in costSettlements ?? [])
        {
            settle(costNanos);
        }
    }

    /// <summary>The body was read off the client's stream; a plain forward (no ai-proxy on the route) still needs one to send.</summary>
    private static void SetUpstreamBody(HttpContext http, byte[] bytes, int length)
    {
        http.Request.Body = new MemoryStream(bytes, 0, length, writable: false);
        http.Request.ContentLength = length;
        http.Request.Headers.Remove("Transfer-Encoding");
    }
}
