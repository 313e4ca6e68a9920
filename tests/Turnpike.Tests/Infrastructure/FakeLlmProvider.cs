using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
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
/// streamed and not. What it answers is set by the properties below and read once per request; every request is recorded.
/// Has no test-framework dependency: the benchmark project links this file too.
/// </summary>
internal sealed class FakeLlmProvider : IAsyncDisposable
{
    private const string GeminiBetaPrefix = "/v1beta/models/";
    private const string GeminiV1Prefix = "/v1/models/";
    private const string AzurePrefix = "/openai/deployments/";

    // Providers send JSON unescaped (a tool call's arguments stay readable); the default encoder would write \u0022.
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Channel<RecordedRequest> _unread = Channel.CreateUnbounded<RecordedRequest>();
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

    /// <summary>Delay between streamed events: gives a test time to disconnect mid-stream.</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>When set, every known endpoint answers this status with the provider's native error body.</summary>
    public (int Status, string Message)? Error { get; set; }

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

    public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, JsonNode? Body);

    private enum Api
    {
        OpenAiChat,
        OpenAiCompletions,
        AnthropicMessages,
        GeminiGenerate,
        GeminiStream,
        OllamaChat,
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
            if (Error is { } error)
            {
                await WriteErrorAsync(context, found.Api, error.Status, error.Message);
                return;
            }

            var json = body as JsonObject;
            await (found.Api switch
            {
                Api.OpenAiChat => OpenAiChatAsync(context, json, found.Model, reply),
                Api.OpenAiCompletions => OpenAiCompletionsAsync(context, json, found.Model, reply),
                Api.AnthropicMessages => AnthropicMessagesAsync(context, json, found.Model, reply),
                Api.GeminiGenerate => GeminiAsync(context, found.Model, reply, stream: false),
                Api.GeminiStream => GeminiAsync(context, found.Model, reply, stream: true),
                Api.OllamaChat => OllamaChatAsync(context, json, found.Model, reply),
                _ => throw new UnreachableException(),
            });
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
                _ => null,
            };
        }

        return null;
    }

    // ---- OpenAI, Mistral, Azure OpenAI: chat completions ----

    private async Task OpenAiChatAsync(HttpContext context, JsonObject? body, string model, Reply reply)
    {
        var id = "chatcmpl-" + NewId();
        var callId = "call_" + NewId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var finish = reply.ToolCall is null ? reply.FinishReason : "tool_calls";

        if (Flag(body, "stream") != true)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.ToolCall is null ? reply.Text : null };
            if (reply.ToolCall is { } call)
            {
                message["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = callId,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
                });
            }

            await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = message,
                    ["logprobs"] = null,
                    ["finish_reason"] = finish,
                }),
                ["usage"] = OpenAiUsage(reply),
            });
            return;
        }

        // With include_usage OpenAI adds "usage": null to every chunk and a last chunk with no choices and the usage.
        var includeUsage = Flag(body?["stream_options"] as JsonObject, "include_usage") == true;
        JsonObject Chunk(JsonArray choices)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = choices,
            };
            if (includeUsage)
            {
                chunk["usage"] = null;
            }

            return chunk;
        }

        JsonObject Delta(JsonObject delta, string? finishReason) => Chunk(new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }));

        var sink = EventSink.Start(context, "text/event-stream", reply.DelayMs);
        if (reply.ToolCall is { } tool)
        {
            // As OpenAI does: the role, the call's id and name in the first chunk, then the arguments in pieces.
            await sink.DataAsync(Delta(
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["id"] = callId,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = tool.Name, ["arguments"] = "" },
                    }),
                },
                null));
            foreach (var piece in SplitInTwo(tool.ArgumentsJson))
            {
                await sink.DataAsync(Delta(
                    new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["index"] = 0,
                            ["function"] = new JsonObject { ["arguments"] = piece },
                        }),
                    },
                    null));
            }
        }
        else
        {
            await sink.DataAsync(Delta(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
            foreach (var piece in SplitText(reply.Text))
            {
                await sink.DataAsync(Delta(new JsonObject { ["content"] = piece }, null));
            }
        }

        // Mistral (same path and format) puts the usage on its last chunk, unasked.
        var mistral = model.Contains("mistral", StringComparison.Ordinal);
        var last = Delta(new JsonObject(), finish);
        if (mistral)
        {
            last["usage"] = OpenAiUsage(reply);
        }

        await sink.DataAsync(last);
        if (includeUsage && !mistral)
        {
            var usage = Chunk(new JsonArray());
            usage["usage"] = OpenAiUsage(reply);
            await sink.DataAsync(usage);
        }

        await sink.SendAsync("data: [DONE]\n\n");
        CountCompleted(context);
    }

    // ---- OpenAI legacy completions (and Azure's) ----

    private async Task OpenAiCompletionsAsync(HttpContext context, JsonObject? body, string model, Reply reply)
    {
        var id = "cmpl-" + NewId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Completion(JsonArray choices) => new()
        {
            ["id"] = id,
            ["object"] = "text_completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = choices,
        };
        static JsonObject Choice(string text, string? finishReason) => new()
        {
            ["text"] = text,
            ["index"] = 0,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        };

        if (Flag(body, "stream") != true)
        {
            var completion = Completion(new JsonArray(Choice(reply.Text, reply.FinishReason)));
            completion["usage"] = OpenAiUsage(reply);
            await WriteJsonAsync(context, StatusCodes.Status200OK, completion);
            return;
        }

        var includeUsage = Flag(body?["stream_options"] as JsonObject, "include_usage") == true;
        JsonObject Chunk(string text, string? finishReason)
        {
            var chunk = Completion(new JsonArray(Choice(text, finishReason)));
            if (includeUsage)
            {
                chunk["usage"] = null;
            }

            return chunk;
        }

        var sink = EventSink.Start(context, "text/event-stream", reply.DelayMs);
        foreach (var piece in SplitText(reply.Text))
        {
            await sink.DataAsync(Chunk(piece, null));
        }

        await sink.DataAsync(Chunk("", reply.FinishReason));
        if (includeUsage)
        {
            var usage = Completion(new JsonArray());
            usage["usage"] = OpenAiUsage(reply);
            await sink.DataAsync(usage);
        }

        await sink.SendAsync("data: [DONE]\n\n");
        CountCompleted(context);
    }

    private static JsonObject OpenAiUsage(Reply reply) => new()
    {
        ["prompt_tokens"] = reply.PromptTokens,
        ["completion_tokens"] = reply.CompletionTokens,
        ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = reply.CachedTokens },
    };

    // ---- Anthropic Messages ----

    private async Task AnthropicMessagesAsync(HttpContext context, JsonObject? body, string model, Reply reply)
    {
        var id = "msg_" + NewId();
        var toolId = "toolu_" + NewId();
        var stopReason = reply.ToolCall is not null ? "tool_use" : reply.FinishReason switch
        {
            "stop" => "end_turn",
            "length" => "max_tokens",
            "tool_calls" => "tool_use",
            "content_filter" => "refusal",
            var other => other,
        };
        JsonObject Usage(int outputTokens) => new()
        {
            ["input_tokens"] = reply.PromptTokens,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = reply.CachedTokens,
            ["output_tokens"] = outputTokens,
        };

        if (Flag(body, "stream") != true)
        {
            var block = reply.ToolCall is { } call
                ? new JsonObject { ["type"] = "tool_use", ["id"] = toolId, ["name"] = call.Name, ["input"] = ParseArguments(call.ArgumentsJson) }
                : new JsonObject { ["type"] = "text", ["text"] = reply.Text };
            await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(block),
                ["stop_reason"] = stopReason,
                ["stop_sequence"] = null,
                ["usage"] = Usage(reply.CompletionTokens),
            });
            return;
        }

        // Anthropic names each event twice: in the SSE "event:" line and in the data's "type".
        var sink = EventSink.Start(context, "text/event-stream", reply.DelayMs);
        Task SendAsync(JsonObject data) => sink.SendAsync("event: " + Text(data, "type") + "\ndata: " + data.ToJsonString(Wire) + "\n\n");

        await SendAsync(new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = Usage(1),
            },
        });
        var startBlock = reply.ToolCall is { } tool
            ? new JsonObject { ["type"] = "tool_use", ["id"] = toolId, ["name"] = tool.Name, ["input"] = new JsonObject() }
            : new JsonObject { ["type"] = "text", ["text"] = "" };
        await SendAsync(new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = startBlock });
        await SendAsync(new JsonObject { ["type"] = "ping" });

        var deltas = reply.ToolCall is { } streamed
            ? SplitInTwo(streamed.ArgumentsJson).Select(piece => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece })
            : SplitText(reply.Text).Select(piece => new JsonObject { ["type"] = "text_delta", ["text"] = piece });
        foreach (var delta in deltas)
        {
            await SendAsync(new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = delta });
        }

        await SendAsync(new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await SendAsync(new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.CompletionTokens },
        });
        await SendAsync(new JsonObject { ["type"] = "message_stop" });
        CountCompleted(context);
    }

    // ---- Gemini generateContent / streamGenerateContent ----

    private async Task GeminiAsync(HttpContext context, string model, Reply reply, bool stream)
    {
        var responseId = NewId();

        // Gemini has no tool finish reason: a function call finishes with STOP.
        var finish = reply.ToolCall is not null ? "STOP" : reply.FinishReason switch
        {
            "stop" => "STOP",
            "length" => "MAX_TOKENS",
            "content_filter" => "SAFETY",
            "tool_calls" => "STOP",
            var other => other,
        };
        JsonObject Response(JsonObject part, string? finishReason, JsonObject usage)
        {
            var candidate = new JsonObject { ["content"] = new JsonObject { ["parts"] = new JsonArray(part), ["role"] = "model" } };
            if (finishReason is not null)
            {
                candidate["finishReason"] = finishReason;
            }

            candidate["index"] = 0;
            return new JsonObject
            {
                ["candidates"] = new JsonArray(candidate),
                ["usageMetadata"] = usage,
                ["modelVersion"] = model,
                ["responseId"] = responseId,
            };
        }

        JsonObject FullUsage()
        {
            var usage = new JsonObject
            {
                ["promptTokenCount"] = reply.PromptTokens,
                ["candidatesTokenCount"] = reply.CompletionTokens,
                ["totalTokenCount"] = reply.PromptTokens + reply.CompletionTokens,
            };
            if (reply.CachedTokens > 0)
            {
                usage["cachedContentTokenCount"] = reply.CachedTokens;
            }

            return usage;
        }

        static JsonObject TextPart(string text) => new() { ["text"] = text };
        static JsonObject CallPart((string Name, string ArgumentsJson) call) => new()
        {
            ["functionCall"] = new JsonObject { ["name"] = call.Name, ["args"] = ParseArguments(call.ArgumentsJson) },
        };

        if (!stream)
        {
            var part = reply.ToolCall is { } call ? CallPart(call) : TextPart(reply.Text);
            await WriteJsonAsync(context, StatusCodes.Status200OK, Response(part, finish, FullUsage()));
            return;
        }

        // Every chunk carries text; only the last has the finish reason and full usage (earlier ones: the prompt count).
        // A function call comes whole, in one chunk.
        var chunks = new List<JsonObject>();
        if (reply.ToolCall is { } tool)
        {
            chunks.Add(Response(CallPart(tool), finish, FullUsage()));
        }
        else
        {
            var pieces = SplitText(reply.Text);
            for (var i = 0; i < pieces.Count; i++)
            {
                chunks.Add(i == pieces.Count - 1
                    ? Response(TextPart(pieces[i]), finish, FullUsage())
                    : Response(TextPart(pieces[i]), null, new JsonObject { ["promptTokenCount"] = reply.PromptTokens }));
            }
        }

        // alt=sse: server-sent events with CRLF framing, no [DONE]. Without it Gemini streams one JSON array, element by element.
        var sse = string.Equals(context.Request.Query["alt"].ToString(), "sse", StringComparison.Ordinal);
        var sink = EventSink.Start(context, sse ? "text/event-stream" : "application/json", reply.DelayMs);
        for (var i = 0; i < chunks.Count; i++)
        {
            var json = chunks[i].ToJsonString(Wire);
            await sink.SendAsync(sse
                ? "data: " + json + "\r\n\r\n"
                : (i == 0 ? "[" : ",\r\n") + json + (i == chunks.Count - 1 ? "]" : ""));
        }

        CountCompleted(context);
    }

    // ---- Ollama /api/chat ----

    private async Task OllamaChatAsync(HttpContext context, JsonObject? body, string model, Reply reply)
    {
        var doneReason = reply.ToolCall is not null ? "stop" : reply.FinishReason switch
        {
            "tool_calls" => "stop",
            var other => other,
        };
        JsonObject Line(JsonObject message, bool done)
        {
            var line = new JsonObject
            {
                ["model"] = model,
                ["created_at"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                ["message"] = message,
                ["done"] = done,
            };
            if (done)
            {
                // Durations are nanoseconds in Ollama; the values are only plausible.
                line["done_reason"] = doneReason;
                line["total_duration"] = 1_500_000L;
                line["load_duration"] = 100_000L;
                line["prompt_eval_count"] = reply.PromptTokens;
                line["prompt_eval_duration"] = 400_000L;
                line["eval_count"] = reply.CompletionTokens;
                line["eval_duration"] = 1_000_000L;
            }

            return line;
        }

        static JsonObject Message(string content, (string Name, string ArgumentsJson)? call)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = content };
            if (call is { } c)
            {
                // Ollama's arguments are an object, not a JSON string as in OpenAI.
                message["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = ParseArguments(c.ArgumentsJson) },
                });
            }

            return message;
        }

        // Ollama streams unless told "stream": false.
        if (Flag(body, "stream") == false)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, Line(Message(reply.ToolCall is null ? reply.Text : "", reply.ToolCall), done: true));
            return;
        }

        var sink = EventSink.Start(context, "application/x-ndjson", reply.DelayMs);
        if (reply.ToolCall is { } tool)
        {
            await sink.LineAsync(Line(Message("", tool), done: false));
        }
        else
        {
            foreach (var piece in SplitText(reply.Text))
            {
                await sink.LineAsync(Line(Message(piece, null), done: false));
            }
        }

        await sink.LineAsync(Line(Message("", null), done: true));
        CountCompleted(context);
    }

    // ---- shared ----

    private static Task WriteErrorAsync(HttpContext context, Api api, int status, string message)
    {
        JsonObject body = api switch
        {
            Api.OpenAiChat or Api.OpenAiCompletions => new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["message"] = message,
                    ["type"] = status >= 500 ? "server_error" : "invalid_request_error",
                    ["param"] = null,
                    ["code"] = null,
                },
            },
            Api.AnthropicMessages => new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject
                {
                    ["type"] = status switch
                    {
                        401 => "authentication_error",
                        403 => "permission_error",
                        404 => "not_found_error",
                        413 => "request_too_large",
                        429 => "rate_limit_error",
                        529 => "overloaded_error",
                        >= 500 => "api_error",
                        _ => "invalid_request_error",
                    },
                    ["message"] = message,
                },
            },
            Api.GeminiGenerate or Api.GeminiStream => new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = status,
                    ["message"] = message,
                    ["status"] = status switch
                    {
                        401 => "UNAUTHENTICATED",
                        403 => "PERMISSION_DENIED",
                        404 => "NOT_FOUND",
                        429 => "RESOURCE_EXHAUSTED",
                        503 => "UNAVAILABLE",
                        504 => "DEADLINE_EXCEEDED",
                        >= 500 => "INTERNAL",
                        _ => "INVALID_ARGUMENT",
                    },
                },
            },
            Api.OllamaChat => new JsonObject { ["error"] = message },
            _ => throw new UnreachableException(),
        };
        return WriteJsonAsync(context, status, body);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(Wire), context.RequestAborted);
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

    /// <summary>About three pieces, split after spaces, that concatenate back to <paramref name="text"/> exactly.</summary>
    private static List<string> SplitText(string text)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && (i + 1 == text.Length || text[i + 1] != ' '))
            {
                words.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            words.Add(text[start..]);
        }

        if (words.Count == 0)
        {
            return [text];
        }

        var count = Math.Min(3, words.Count);
        var pieces = new List<string>(count);
        for (var p = 0; p < count; p++)
        {
            var from = p * words.Count / count;
            var to = (p + 1) * words.Count / count;
            pieces.Add(string.Concat(words.GetRange(from, to - from)));
        }

        return pieces;
    }

    private static List<string> SplitInTwo(string text) =>
        text.Length < 2 ? [text] : [text[..(text.Length / 2)], text[(text.Length / 2)..]];

    private static JsonNode ParseArguments(string argumentsJson) => JsonNode.Parse(argumentsJson) ?? new JsonObject();

    private static string NewId() => Guid.NewGuid().ToString("N")[..24];

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

        public Task DataAsync(JsonNode data) => SendAsync("data: " + data.ToJsonString(Wire) + "\n\n");

        public Task LineAsync(JsonNode line) => SendAsync(line.ToJsonString(Wire) + "\n");
    }
}
