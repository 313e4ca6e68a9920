using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback that answers like the LLM providers do, in each one's own wire format:
/// OpenAI and Mistral (<c>/v1/chat/completions</c>, <c>/v1/completions</c>), Azure OpenAI
/// (<c>/openai/deployments/{deployment}/…</c>), Anthropic (<c>/v1/messages</c>), Gemini
/// (<c>/v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent</c>) and Ollama (<c>/api/chat</c>),
/// streamed and not. A fixture server: the answers themselves are the wire-format files under
/// <c>Fixtures/ai-proxy/&lt;provider&gt;/…</c> (see <see cref="AiFixtures"/>); it picks one per request (provider, streamed or
/// not, text or tool call, usage asked for) and fills in the dynamic values (model, ids, times, text, tokens, finish reason)
/// from the properties below, read once per request. Every request is recorded.
/// Has no test-framework dependency: the benchmark project links this file too.
/// </summary>
internal sealed class FakeLlmProvider : IAsyncDisposable
{
    private const string GeminiBetaPrefix = "/v1beta/models/";
    private const string GeminiV1Prefix = "/v1/models/";
    private const string AzurePrefix = "/openai/deployments/";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Channel<RecordedRequest> _unread = Channel.CreateUnbounded<RecordedRequest>();
    private readonly Dictionary<string, ProviderFault> _faults = new(StringComparer.Ordinal);
    private int _streamsCompleted;

    private FakeLlmProvider(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public string Url { get; }

    public string ReplyText { get; set; } = "Hello from the fake provider.";

    public int PromptTokens { get; set; } = 11;

    public int CompletionTokens { get; set; } = 7;

    /// <summary>Reported where the provider has such a field (OpenAI's cached_tokens, Anthropic's cache_read_input_tokens, Gemini's cachedContentTokenCount).</summary>
    public int CachedTokens { get; set; }

    /// <summary>
    /// In OpenAI terms (stop | length | tool_calls | content_filter); each provider answers its native equivalent.
    /// A value with no mapping is passed through as it is, so a test can inject a provider-only reason.
    /// </summary>
    public string FinishReason { get; set; } = "stop";

    /// <summary>When set, the reply is this one tool call and no text, and it finishes the provider's tool way.</summary>
    public (string Name, string ArgumentsJson)? ToolCall { get; set; }

    /// <summary>When set, every embedding answered is these values (a wrong length, numbers too large for a float) instead of the bag of words.</summary>
    public JsonArray? EmbeddingValues { get; set; }

    /// <summary>Delay between streamed events: gives a test time to disconnect mid-stream.</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>When set, every known endpoint answers this status with the provider's native error body.</summary>
    public (int Status, string Message)? Error { get; set; }

    /// <summary>
    /// Sets how the provider misbehaves for one model (the model a request names, Azure's deployment): one server then
    /// stands for several targets of a balancer, each failing its own way. Null puts the model back to normal.
    /// </summary>
    public void Misbehave(string model, ProviderFault? fault)
    {
        lock (_gate)
        {
            if (fault is null)
            {
                _faults.Remove(model);
            }
            else
            {
                _faults[model] = fault;
            }
        }
    }

    /// <summary>Every request so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Streams written to their very end (the last event sent and flushed, the client still there).</summary>
    public int StreamsCompleted => Volatile.Read(ref _streamsCompleted);

    public static async Task<FakeLlmProvider> StartAsync()
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var provider = new FakeLlmProvider(app, port);
        app.Run(provider.HandleAsync);
        await app.StartAsync();
        return provider;
    }

    /// <summary>
    /// The oldest request not yet handed out by this method, waiting up to <paramref name="timeout"/> for one to arrive.
    /// A queue rather than "the next after this call", so a request that raced ahead of the call is not missed.
    /// </summary>
    public async Task<RecordedRequest> NextRequestAsync(TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            return await _unread.Reader.ReadAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"No request reached the fake LLM provider within {timeout}."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _unread.Writer.TryComplete();

        // Bounded: a test that leaves a slow stream running should not hold disposal for the host's whole shutdown timeout.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    /// <summary>
    /// How the provider misbehaves for a model: waits <paramref name="DelayMs"/> before answering, answers
    /// <paramref name="Status"/> with its native error body, or drops the connection after
    /// <paramref name="DropAfterEvents"/> events of a stream (0, or any value for a whole answer: before answering).
    /// </summary>
    public sealed record ProviderFault(int? Status = null, string Message = "The fake provider refuses.", int DelayMs = 0, int? DropAfterEvents = null);

    public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, JsonNode? Body);

    private enum Api
    {
        OpenAiChat,
        OpenAiCompletions,
        AnthropicMessages,
        GeminiGenerate,
        GeminiStream,
        OllamaChat,
        OpenAiEmbeddings,
        GeminiEmbed,
        OllamaEmbed,
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            var request = context.Request;
            var body = await ReadJsonAsync(request, context.RequestAborted);
            var recorded = new RecordedRequest(
                request.Method,
                request.Path.Value ?? "",
                request.QueryString.Value ?? "",
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value.ToArray()), StringComparer.OrdinalIgnoreCase),
                body);
            lock (_gate)
            {
                _requests.Add(recorded);
            }

            _unread.Writer.TryWrite(recorded);

            var target = Match(request, body as JsonObject);
            if (target is not { } found)
            {
                await WriteJsonAsync(context, StatusCodes.Status404NotFound, new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["message"] = $"The fake LLM provider has no endpoint {request.Method} {request.Path.Value}.",
                        ["type"] = "not_found_error",
                    },
                });
                return;
            }

            // Read once, so a test changing a property mid-stream cannot garble one answer.
            var reply = new Reply(ReplyText, PromptTokens, CompletionTokens, CachedTokens, FinishReason, ToolCall, ChunkDelayMs);
            ProviderFault? fault;
            lock (_gate)
            {
                fault = _faults.GetValueOrDefault(found.Model);
            }

            if (fault is { DelayMs: > 0 })
            {
                await Task.Delay(fault.DelayMs, context.RequestAborted);
            }

            if ((fault?.Status is { } status ? (status, fault.Message) : Error) is { } error)
            {
                await WriteErrorAsync(context, found.Api, error.Status, error.Message);
                return;
            }

            await AnswerAsync(context, found, body as JsonObject, reply, fault?.DropAfterEvents);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away (the disconnect tests do this on purpose): there is no one left to answer.
        }
    }

    private static Target? Match(HttpRequest request, JsonObject? body)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return null;
        }

        var path = request.Path.Value ?? "";
        var model = Text(body, "model") ?? "";
        switch (path)
        {
            case "/v1/chat/completions":
                return new Target(Api.OpenAiChat, model);
            case "/v1/completions":
                return new Target(Api.OpenAiCompletions, model);
            case "/v1/messages":
                return new Target(Api.AnthropicMessages, model);
            case "/api/chat":
                return new Target(Api.OllamaChat, model);
            case "/v1/embeddings":
                return new Target(Api.OpenAiEmbeddings, model);
            case "/api/embed":
                return new Target(Api.OllamaEmbed, model);
        }

        // Azure names the model by its deployment, in the path; the answer reports the deployment as the model.
        if (path.StartsWith(AzurePrefix, StringComparison.Ordinal))
        {
            var rest = path[AzurePrefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
            {
                return null;
            }

            var deployment = rest[..slash];
            return rest[slash..] switch
            {
                "/chat/completions" => new Target(Api.OpenAiChat, deployment),
                "/completions" => new Target(Api.OpenAiCompletions, deployment),
                "/embeddings" => new Target(Api.OpenAiEmbeddings, deployment),
                _ => null,
            };
        }

        // Gemini puts the method after a colon in the last segment, which route templates handle badly: parse it here.
        var geminiPrefix = path.StartsWith(GeminiBetaPrefix, StringComparison.Ordinal) ? GeminiBetaPrefix
            : path.StartsWith(GeminiV1Prefix, StringComparison.Ordinal) ? GeminiV1Prefix
            : null;
        if (geminiPrefix is not null)
        {
            var rest = path[geminiPrefix.Length..];
            var colon = rest.LastIndexOf(':');
            if (colon <= 0)
            {
                return null;
            }

            var geminiModel = rest[..colon];
            return rest[(colon + 1)..] switch
            {
                "generateContent" => new Target(Api.GeminiGenerate, geminiModel),
                "streamGenerateContent" => new Target(Api.GeminiStream, geminiModel),
                "batchEmbedContents" => new Target(Api.GeminiEmbed, geminiModel),
                _ => null,
            };
        }

        return null;
    }

    // ---- answers: a fixture per provider, wire format and kind of reply, filled in ----

    private async Task AnswerAsync(HttpContext context, Target target, JsonObject? body, Reply reply, int? dropAfterEvents)
    {
        if (target.Api is Api.OpenAiEmbeddings or Api.GeminiEmbed or Api.OllamaEmbed)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, FakeEmbeddings.Answer(target.Api.ToString(), target.Model, body, reply.PromptTokens, EmbeddingValues));
            return;
        }

        // Ollama streams unless told "stream": false; Gemini streams by its path; the others when asked to.
        var stream = target.Api switch
        {
            Api.GeminiStream => true,
            Api.GeminiGenerate => false,
            Api.OllamaChat => Flag(body, "stream") != false,
            _ => Flag(body, "stream") == true,
        };

        // Legacy completions have no tools: they answer the text whatever the test set.
        var tool = reply.ToolCall is not null && target.Api != Api.OpenAiCompletions ? "-tool" : "";

        // With include_usage OpenAI adds "usage": null to every chunk and a last chunk with no choices and the usage;
        // Mistral (same path and format) puts the usage on its last chunk, unasked.
        var usage = Flag(body?["stream_options"] as JsonObject, "include_usage") == true ? "-usage" : "";
        var mistral = target.Model.Contains("mistral", StringComparison.Ordinal);
        var kind = stream ? "stream" : "response";
        var fixture = target.Api switch
        {
            Api.OpenAiChat when stream => $"{(mistral ? "mistral" : "openai")}/chat/stream{tool}{usage}.sse",
            Api.OpenAiChat => $"openai/chat/response{tool}.json",
            Api.OpenAiCompletions => stream ? $"openai/completions/stream{usage}.sse" : "openai/completions/response.json",
            Api.AnthropicMessages => $"anthropic/messages/{kind}{tool}.{(stream ? "sse" : "json")}",
            Api.GeminiGenerate or Api.GeminiStream => $"gemini/generate/{kind}{tool}.{(stream ? "sse" : "json")}",
            Api.OllamaChat => $"ollama/chat/{kind}{tool}.{(stream ? "ndjson" : "json")}",
            _ => throw new UnreachableException(),
        };

        var values = FixtureValues.For(target.Model, reply.Text, NativeFinish(target.Api, reply.FinishReason), reply.PromptTokens, reply.CompletionTokens, reply.CachedTokens, reply.ToolCall);
        var events = AiFixtures.Render(fixture, values);
        if (dropAfterEvents is not null && (!stream || dropAfterEvents == 0))
        {
            // The connection breaks before any of the answer: headers and all.
            context.Abort();
            return;
        }

        if (!stream)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, events.Single().Data);
            return;
        }

        // Gemini frames its server-sent events with CRLF (alt=sse); without alt=sse it streams one JSON array, element by element.
        var gemini = target.Api == Api.GeminiStream;
        var sse = !gemini || string.Equals(context.Request.Query["alt"].ToString(), "sse", StringComparison.Ordinal);
        var contentType = target.Api == Api.OllamaChat ? "application/x-ndjson" : sse ? "text/event-stream" : "application/json";
        var sink = EventSink.Start(context, contentType, reply.DelayMs);
        for (var i = 0; i < events.Count; i++)
        {
            if (i == dropAfterEvents)
            {
                // Mid-stream: the events so far went out, the rest never will. The pause lets the events sent reach the
                // reader before the connection breaks (a reset can discard data the peer has not read yet).
                await Task.Delay(Math.Max(reply.DelayMs, 100), context.RequestAborted);
                context.Abort();
                return;
            }

            var (name, data) = (events[i].Name, events[i].Data);
            await sink.SendAsync(
                target.Api == Api.OllamaChat ? data + "\n"
                : !sse ? (i == 0 ? "[" : ",\r\n") + data + (i == events.Count - 1 ? "]" : "")
                : (name is null ? "" : "event: " + name + "\n") + "data: " + data + (gemini ? "\r\n\r\n" : "\n\n"));
        }

        CountCompleted(context);
    }

    /// <summary>A finish reason in OpenAI's terms as the provider says it; one with no mapping is passed through.</summary>
    private static string NativeFinish(Api api, string finishReason) => api switch
    {
        Api.AnthropicMessages => finishReason switch
        {
            "stop" => "end_turn",
            "length" => "max_tokens",
            "tool_calls" => "tool_use",
            "content_filter" => "refusal",
            var other => other,
        },

        // Gemini has no tool finish reason: a function call finishes with STOP.
        Api.GeminiGenerate or Api.GeminiStream => finishReason switch
        {
            "stop" or "tool_calls" => "STOP",
            "length" => "MAX_TOKENS",
            "content_filter" => "SAFETY",
            var other => other,
        },
        Api.OllamaChat => finishReason == "tool_calls" ? "stop" : finishReason,
        _ => finishReason,
    };
    // ---- shared ----

    private static Task WriteErrorAsync(HttpContext context, Api api, int status, string message)
    {
        var (provider, type) = api switch
        {
            Api.OpenAiChat or Api.OpenAiCompletions or Api.OpenAiEmbeddings => ("openai", status >= 500 ? "server_error" : "invalid_request_error"),
            Api.AnthropicMessages => ("anthropic", status switch
            {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                >= 500 => "api_error",
                _ => "invalid_request_error",
            }),
            Api.GeminiGenerate or Api.GeminiStream or Api.GeminiEmbed => ("gemini", status switch
            {
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                429 => "RESOURCE_EXHAUSTED",
                503 => "UNAVAILABLE",
                504 => "DEADLINE_EXCEEDED",
                >= 500 => "INTERNAL",
                _ => "INVALID_ARGUMENT",
            }),
            Api.OllamaChat or Api.OllamaEmbed => ("ollama", ""),
            _ => throw new UnreachableException(),
        };
        var values = new FixtureValues
        {
            Values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["message"] = message, ["error_type"] = type, ["status"] = status },
        };
        return WriteJsonAsync(context, status, AiFixtures.Render(provider + "/error.json", values).Single().Data);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode body) => WriteJsonAsync(context, status, body.ToJsonString(AiFixtures.Wire));

    private static Task WriteJsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (JsonException)
        {
            return null; // not JSON: recorded without a body
        }
    }

    // Kestrel accepts writes after the client left without failing, so "written to the end" also asks whether the client was still there.
    private void CountCompleted(HttpContext context)
    {
        if (!context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _streamsCompleted);
        }
    }

    private static string? Text(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static bool? Flag(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue(out bool flag) ? flag : null;

    private readonly record struct Target(Api Api, string Model);

    private sealed record Reply(
        string Text,
        int PromptTokens,
        int CompletionTokens,
        int CachedTokens,
        string FinishReason,
        (string Name, string ArgumentsJson)? ToolCall,
        int DelayMs);

    /// <summary>Writes a streamed answer event by event: each flushed at once, with the configured pause between them.</summary>
    private sealed class EventSink
    {
        private readonly HttpResponse _response;
        private readonly int _delayMs;
        private readonly CancellationToken _aborted;
        private bool _sentAny;

        private EventSink(HttpContext context, int delayMs)
        {
            _response = context.Response;
            _delayMs = delayMs;
            _aborted = context.RequestAborted;
        }

        public static EventSink Start(HttpContext context, string contentType, int delayMs)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = contentType;
            context.Response.Headers.CacheControl = "no-cache";
            return new EventSink(context, delayMs);
        }

        public async Task SendAsync(string text)
        {
            if (_sentAny && _delayMs > 0)
            {
                await Task.Delay(_delayMs, _aborted);
            }

            _sentAny = true;
            await _response.WriteAsync(text, _aborted);
            await _response.Body.FlushAsync(_aborted);
        }
    }
}
