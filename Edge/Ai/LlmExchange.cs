using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Ai;

/// <summary>
/// One call to an LLM provider for ai-proxy: sends the translated request, answers the client in OpenAI's format
/// (whole, or chunk by chunk as the provider streams), and records the tokens the provider reported. A client
/// that goes away mid-stream stops getting chunks, but the provider's stream is read to its end, so the tokens
/// it produced (and will bill) are metered exactly.
/// </summary>
internal sealed partial class LlmExchange(
    AiProxySettings settings, LlmCallMode mode, string modelName, bool stream, bool includeUsage, ILogger logger)
    : IUpstreamExchange
{
    public const string ModelHeader = "X-Turnpike-LLM-Model";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The client's headers a provider's own API reads (no credentials: the gateway's replace them).</summary>
    private static readonly string[] PreservedHeaders = ["Accept", "anthropic-version", "anthropic-beta", "OpenAI-Beta"];

    /// <summary>What tells an OpenAI SDK when to try again after a provider's 429 or 503.</summary>
    private static readonly string[] RetryHeaders = ["Retry-After", "retry-after-ms", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"];

    private int _recorded;
    private bool _anthropic;
    private AnthropicEventStream? _anthropicStream;
    private Func<LlmFailure, bool> _retry = static _ => false;
    private LlmFailure _streamFailure;
    private string? _responseModel;
    private AiPayloadCapture? _payload;

    private LlmProvider Provider => settings.Provider;

    /// <summary>Legacy completions sent to a provider that only chats: answers are turned back into text completions.</summary>
    private bool ConvertsCompletions => settings.RouteType == LlmRouteType.Completions && !Provider.HasCompletions;

    /// <summary>The tokens the provider reported, once the call is over (null: unknown, or not over).</summary>
    public AiUsage? Usage { get; private set; }

    /// <summary>When the provider's answer began (its status and headers), as a <see cref="Stopwatch"/> timestamp; 0 if it never did.</summary>
    public long AnsweredAt { get; private set; }

    /// <summary>The target's settings (for a balancer telling its targets apart).</summary>
    public AiProxySettings Settings => settings;

    public Task SendAsync(ProxyContext context, UpstreamCall upstream) =>
        AttemptAsync(context, upstream, client: null, TimeSpan.FromMilliseconds(upstream.Service.Entity.ReadTimeout), static _ => false);

    /// <summary>
    /// One call to the provider. A failure that <paramref name="retry"/> accepts, met before anything went to the
    /// client, is returned unanswered (nothing written, nothing recorded or settled) so the caller can try another
    /// target; anything else is answered to the client as ai-proxy does.
    /// </summary>
    /// <param name="call">The proxy's way to the upstream, which times each call for the request.</param>
    /// <param name="client">The client to call with (a balancer's pool); null for the service's own.</param>
    /// <param name="readTimeout">Bounds each wait on the provider: for the answer, then for each next event.</param>
    public async Task<LlmAttempt> AttemptAsync(ProxyContext context, UpstreamCall call, HttpMessageInvoker? client, TimeSpan readTimeout, Func<LlmFailure, bool> retry)
    {
        _retry = retry;
        _anthropic = context.Ai?.AnthropicClient ?? false;
        _payload = settings.Logging.Payloads ? new AiPayloadCapture((mode as TranslatedCall)?.ClientRequest.ToJsonString()) : null;
        var http = context.HttpContext;
        using var upstream = mode is TranslatedCall translated ? TranslatedRequest(http, translated) : PreservedRequest(context);
        Provider.AddHeaders(upstream.Headers, settings.Model);
        foreach (var (name, value) in context.UpstreamHeaders ?? [])
        {
            UpstreamRequestHeaders.Set(upstream.Headers, name, value);
        }

        settings.Auth.ApplyHeader(http.Request, upstream);

        // The read timeout bounds each wait on the provider: for the answer, then for each next event.
        // The client going away cancels none of it: what the provider produces is metered either way.
        using var timeout = new CancellationTokenSource(readTimeout);
        HttpResponseMessage response;
        try
        {
            response = await call.SendAsync(upstream, timeout.Token, client); // an invoker answers at the headers; the body streams
            AnsweredAt = Stopwatch.GetTimestamp();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            LogProviderUnreachable(logger, Provider.Name, upstream.RequestUri!.Authority, ex.GetType().Name, ex.Message);
            var failure = timeout.IsCancellationRequested ? LlmFailure.Timeout : LlmFailure.Error;
            if (retry(failure))
            {
                return new(failure, Answered: false);
            }

            // Settled before the answer goes, as every answer is: a provider that timed out may have done the work
            // (the reservations stand); one that could not be reached did none.
            Record(context, timeout.IsCancellationRequested ? null : AiUsage.None);
            await AnswerUnreachableAsync(http, timeout.IsCancellationRequested);
            return new(failure, Answered: true);
        }

        using (response)
        {
            var refused = LlmFailures.OfStatus((int)response.StatusCode);
            if (refused != LlmFailure.None && retry(refused))
            {
                return new(refused, Answered: false);
            }

            http.Response.StatusCode = (int)response.StatusCode;
            if (settings.ModelNameHeader)
            {
                http.Response.Headers[ModelHeader] = $"{settings.Model.Provider}/{modelName}";
            }

            if (refused != LlmFailure.None)
            {
                Record(context, AiUsage.None);
                await AnswerErrorAsync(context, response, timeout.Token);
                return new(refused, Answered: true);
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var streamed = mediaType is "text/event-stream" or "application/x-ndjson";
            AiUsage? usage;
            var failed = LlmFailure.None;
            try
            {
                var providerBody = await response.Content.ReadAsStreamAsync(timeout.Token);
                usage = mode switch
                {
                    TranslatedCall when streamed && stream => await StreamAsync(context, providerBody, readTimeout),
                    TranslatedCall whole => await AnswerWholeAsync(context, whole, providerBody, timeout.Token),
                    _ => await PassThroughAsync(context, providerBody, mediaType, streamed, readTimeout, timeout.Token),
                };
            }
            catch (RetryableFailure ex)
            {
                // Nothing went to the client yet: the caller tries another target, as if this one had not answered.
                LogProviderUnreachable(logger, Provider.Name, upstream.RequestUri!.Authority, (ex.InnerException ?? ex).GetType().Name, (ex.InnerException ?? ex).Message);
                ClearAnswer(http);
                return new(ex.Failure, Answered: false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException)
            {
                // The answer broke off before anything was sent: a gateway error, and the work is counted as reserved.
                LogProviderUnreachable(logger, Provider.Name, upstream.RequestUri!.Authority, ex.GetType().Name, ex.Message);
                failed = timeout.IsCancellationRequested ? LlmFailure.Timeout : LlmFailure.Error;
                if (!http.Response.HasStarted)
                {
                    if (retry(failed))
                    {
                        ClearAnswer(http);
                        return new(failed, Answered: false);
                    }

                    http.Response.Headers.Remove(ModelHeader);
                    await AnswerUnreachableAsync(http, timeout.IsCancellationRequested);
                }

                usage = null;
            }

            Record(context, usage);
            return new(failed == LlmFailure.None ? _streamFailure : failed, Answered: true);
        }
    }

    /// <summary>Undoes what an attempt set on the response before it was abandoned for another target.</summary>
    private static void ClearAnswer(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.Headers.Remove(ModelHeader);
        http.Response.Headers.Remove("Content-Type");
        http.Response.Headers.Remove("Cache-Control");
        http.Response.Headers.ContentLength = null;
    }

    /// <summary>Kong's answers for an upstream that failed (502) or was too slow (504), in OpenAI's error shape.</summary>
    private Task AnswerUnreachableAsync(HttpContext http, bool timedOut) => WriteErrorAsync(
        http,
        timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
        timedOut ? ProxyErrors.GatewayTimeout : ProxyErrors.BadGateway);

    /// <summary>An error in the client's format: OpenAI's, or Anthropic's for <c>llm_format: anthropic</c>.</summary>
    private Task WriteErrorAsync(HttpContext http, int status, string message, string? type = null) => _anthropic
        ? AiErrors.WriteJsonAsync(http, status, AnthropicClientFormat.Error(status, message))
        : AiErrors.WriteJsonAsync(http, status, AiErrors.Body(message, type ?? (status >= 500 ? AiErrors.ServerError : AiErrors.InvalidRequest)));

    /// <summary>The HTTP request carrying the provider's body (translated by the handler from the client's).</summary>
    private HttpRequestMessage TranslatedRequest(HttpContext http, TranslatedCall call)
    {
        var completions = settings.RouteType == LlmRouteType.Completions;
        var body = call.ProviderRequest;
        settings.Auth.ApplyBody(call.ClientRequest, body);
        var endpoint = settings.RouteType == LlmRouteType.Embeddings ? Provider.EmbeddingsEndpoint(settings.Model, modelName) : Provider.Endpoint(settings.Model, modelName, stream, completions);
        var upstream = new HttpRequestMessage(HttpMethod.Post, settings.Auth.ApplyQuery(http.Request, endpoint))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())) { Headers = { ContentType = Json } },
        };
        upstream.Headers.Accept.ParseAdd(stream ? "text/event-stream" : "application/json");
        return upstream;
    }

    /// <summary><c>preserve</c>: the client's method, path and body as they are, to the provider's host.</summary>
    private HttpRequestMessage PreservedRequest(ProxyContext context)
    {
        var http = context.HttpContext;
        var endpoint = Provider.Endpoint(settings.Model, modelName, stream, completions: false);
        var target = ProxyContext.UpstreamUri(endpoint.GetLeftPart(UriPartial.Authority), context.UpstreamPath, http.Request.QueryString.Value);
        var upstream = new HttpRequestMessage(new HttpMethod(http.Request.Method), settings.Auth.ApplyQuery(http.Request, target));
        foreach (var name in PreservedHeaders)
        {
            if (http.Request.Headers[name] is { Count: > 0 } values)
            {
                upstream.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            upstream.Content = new StreamContent(http.Request.Body);
            if (http.Request.ContentType is { } type)
            {
                upstream.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        return upstream;
    }

    /// <summary>A whole answer: read, translated, sent with its length.</summary>
    private async Task<AiUsage?> AnswerWholeAsync(ProxyContext context, TranslatedCall call, Stream providerBody, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        JsonObject? completion = null;
        AiUsage? embeddingsUsage = null;
        if (await ReadJsonAsync(providerBody, cancellationToken) is JsonObject answer)
        {
            try
            {
                if (settings.RouteType == LlmRouteType.Embeddings)
                {
                    (completion, embeddingsUsage) = Provider.FromProviderEmbeddings(answer, call.ClientRequest, modelName);
                }
                else
                {
                    completion = Provider.FromProvider(answer, ChatChunks.For(modelName));
                    _responseModel = AiJson.String(completion["model"]);
                }
            }
            catch (InvalidOperationException ex)
            {
                // A field of an unexpected kind (JsonNode's casts throw this): not an answer the client can use.
                LogUnreadableAnswer(logger, ex, Provider.Name);
            }
        }

        if (completion is null)
        {
            if (_retry(LlmFailure.InvalidHeader))
            {
                throw new RetryableFailure(LlmFailure.InvalidHeader, null);
            }

            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            await WriteErrorAsync(http, StatusCodes.Status502BadGateway, ProxyErrors.BadGateway);
            return null;
        }

        var usage = settings.RouteType == LlmRouteType.Embeddings ? embeddingsUsage : LlmProvider.UsageOf(completion);
        var reply = settings.RouteType == LlmRouteType.Embeddings ? completion : _anthropic ? AnthropicClientFormat.FromCompletion(completion) : ConvertsCompletions ? CompletionsFormat.FromChat(completion) : completion;
        http.Response.ContentType = "application/json";
        Record(context, usage);
        if (settings.RouteType == LlmRouteType.Chat && context.Ai is { WantsAnswer: true } ai)
        {
            await ai.AnsweredAsync(new LlmAnswer(completion, settings.Model.Provider, modelName, usage));
        }

        await TryWriteAsync(http, Encoding.UTF8.GetBytes(reply.ToJsonString()), withLength: true);
        return usage;
    }

    /// <summary>The provider's stream, translated event by event into OpenAI chunks and sent as each arrives.</summary>
    private async Task<AiUsage?> StreamAsync(ProxyContext context, Stream providerBody, TimeSpan readTimeout)
    {
        var http = context.HttpContext;
        StartEventStream(context);
        var chunks = ChatChunks.For(modelName);
        var translator = Provider.OpenStream(chunks);
        using var events = new LlmEventReader(providerBody, translator.LineDelimited);
        var output = new List<JsonObject>();
        var failed = false;
        _anthropicStream = _anthropic ? new AnthropicEventStream(modelName) : null;
        // A plugin that asked for the chat answer (ai-semantic-cache) gets it assembled from the chunks.
        var answerTo = settings.RouteType == LlmRouteType.Chat && context.Ai is { WantsAnswer: true } ai ? ai : null;
        var assembler = answerTo is null ? null : new CompletionAssembler();
        try
        {
            while (await NextAsync(events, readTimeout) is { } next)
            {
                translator.Read(next.Name, next.Data, output);
                assembler?.AddAll(output);
                await SendChunksAsync(http, output);
            }

            translator.End(output);
            assembler?.AddAll(output);
        }
        catch (Exception ex) when (ex is LlmStreamException or JsonException or InvalidOperationException or IOException or OperationCanceledException or HttpRequestException)
        {
            // Before the first byte went out another target may still answer; after it, never (the client has part of an answer).
            var failure = ex is IOException or HttpRequestException ? LlmFailure.Error : ex is OperationCanceledException ? LlmFailure.Timeout : LlmFailure.InvalidHeader;
            if (!http.Response.HasStarted && _retry(failure))
            {
                throw new RetryableFailure(failure, ex);
            }

            // Mid-stream there is no status left to change: the error goes as a last event, OpenAI's way.
            _streamFailure = failure;
            failed = true;
            LogStreamFailed(logger, Provider.Name, ex.GetType().Name, ex.Message);
            output.Add(AiErrors.Body(ex is LlmStreamException ? ex.Message : "the provider's stream ended unexpectedly", AiErrors.ServerError));
        }

        if (translator.Usage is { } usage && includeUsage && !failed && _anthropicStream is null)
        {
            output.Add(chunks.Usage(usage));
        }

        Record(context, translator.Usage); // what the provider reported, so far if the stream broke off
        if (!failed && answerTo is not null && assembler?.Completion(translator.Usage) is { } whole)
        {
            await answerTo.AnsweredAsync(new LlmAnswer(whole, settings.Model.Provider, modelName, translator.Usage));
        }

        await SendChunksAsync(http, output);
        if (_anthropicStream is { } anthropic)
        {
            // Anthropic's stream ends with the stop reason and usage; after an error event it just ends.
            var end = new StringBuilder();
            if (!failed)
            {
                anthropic.End(translator.Usage, end);
            }

            await TryWriteAsync(http, Encoding.UTF8.GetBytes(end.ToString()), withLength: false);
            return translator.Usage;
        }

        await TryWriteAsync(http, "data: [DONE]\n\n"u8.ToArray(), withLength: false);
        return translator.Usage;
    }

    /// <summary><c>preserve</c>: the provider's answer goes to the client as it is; a copy is read for the usage.</summary>
    private async Task<AiUsage?> PassThroughAsync(ProxyContext context, Stream providerBody, string? mediaType, bool streamed, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        http.Response.ContentType = mediaType ?? "application/json";
        if (!streamed)
        {
            var bytes = await ReadAllAsync(providerBody, cancellationToken);
            var usage = UsageOfNative(bytes);
            Record(context, usage);
            await TryWriteAsync(http, bytes, withLength: true);
            return usage;
        }

        StartEventStream(context, mediaType);
        var translator = Provider.OpenStream(ChatChunks.For(modelName));
        using var events = new LlmEventReader(providerBody, translator.LineDelimited);
        var ignored = new List<JsonObject>();
        try
        {
            while (await NextAsync(events, readTimeout) is { } next)
            {
                var text = translator.LineDelimited ? next.Data + "\n"
                    : (next.Name is null ? "" : $"event: {next.Name}\n") + "data: " + next.Data.Replace("\n", "\ndata: ", StringComparison.Ordinal) + "\n\n";
                await TryWriteAsync(http, Encoding.UTF8.GetBytes(text), withLength: false);
                if (next.Data != "[DONE]")
                {
                    translator.Read(next.Name, next.Data, ignored);
                    ignored.Clear();
                }
            }
        }
        catch (Exception ex) when (ex is LlmStreamException or JsonException or IOException or OperationCanceledException or HttpRequestException)
        {
            LogStreamFailed(logger, Provider.Name, ex.GetType().Name, ex.Message);
        }

        return translator.Usage;
    }

    /// <summary>The usage in a provider's own answer (<c>preserve</c>); null when it holds none this gateway can read.</summary>
    private AiUsage? UsageOfNative(byte[] answer)
    {
        try
        {
            return ParseNode(answer) is JsonObject native ? LlmProvider.UsageOf(Provider.FromProvider(native, ChatChunks.For(modelName))) : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A provider error, in OpenAI's shape with the provider's status and its advice on when to retry.</summary>
    private async Task AnswerErrorAsync(ProxyContext context, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var status = (int)response.StatusCode;
        JsonNode? body = null;
        try
        {
            body = await ReadJsonAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException)
        {
        }

        var (message, type) = Provider.Error(body);
        foreach (var name in RetryHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        await WriteErrorAsync(http, status, message, type);
    }

    private static void StartEventStream(ProxyContext context, string? mediaType = null)
    {
        var response = context.HttpContext.Response;
        response.ContentType = mediaType ?? "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    private async Task SendChunksAsync(HttpContext http, List<JsonObject> chunks)
    {
        if (chunks.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var chunk in chunks)
        {
            if (_anthropicStream is { } anthropic)
            {
                anthropic.Add(chunk, text);
                continue;
            }

            text.Append("data: ").Append((ConvertsCompletions && chunk["error"] is null ? CompletionsFormat.FromChat(chunk) : chunk).ToJsonString()).Append("\n\n");
        }

        chunks.Clear();
        await TryWriteAsync(http, Encoding.UTF8.GetBytes(text.ToString()), withLength: false);
    }

    /// <summary>Writes to the client unless it has gone; the exchange goes on either way, to count what the provider produced.</summary>
    private async Task TryWriteAsync(HttpContext http, byte[] bytes, bool withLength)
    {
        _payload?.AddResponse(bytes);
        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            if (withLength)
            {
                http.Response.ContentLength = bytes.Length;
            }

            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
            if (!withLength)
            {
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>The next event, waiting at most the read timeout for it; not cancelled by the client going away.</summary>
    private static async Task<(string? Name, string Data)?> NextAsync(LlmEventReader events, TimeSpan readTimeout)
    {
        using var timeout = new CancellationTokenSource(readTimeout);
        return await events.NextAsync(timeout.Token);
    }

    /// <summary>
    /// The one place an exchange accounts for its call, whichever way it ended (answered, streamed, refused by the
    /// provider, unreachable): tokens and their cost into the request's meters, then the reservations settled — once,
    /// and before the answer's last bytes go out, so a client's next request already meets the settled counters.
    /// What no exchange settles, the log phase does (<see cref="AiSettlementLog"/>).
    /// </summary>
    private void Record(ProxyContext context, AiUsage? usage)
    {
        if (Interlocked.Exchange(ref _recorded, 1) == 1)
        {
            return;
        }

        var costNanos = AiMeterNames.Meter(context, settings.Model, modelName, usage);
        context.LlmCall = new LlmCallRecord(
            settings.Model.Provider, modelName, usage, costNanos / 1e9, (long)Stopwatch.GetElapsedTime(context.ForwardTimestamp).TotalMilliseconds)
        {
            Logging = settings.Logging,
            PluginId = settings.PluginId,
            ResponseModel = _responseModel,
            Payload = _payload, // the answer's bytes are added as they go out, after this record
        };
        Usage = usage;
        context.Ai?.Settle(usage, usage is null ? null : costNanos); // null: the usage is unknown, and the reservations stand as taken
    }

    private static async Task<JsonNode?> ReadJsonAsync(Stream body, CancellationToken cancellationToken) =>
        ParseNode(await ReadAllAsync(body, cancellationToken));

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static JsonNode? ParseNode(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2700, Level = LogLevel.Warning, Message = "LLM provider {Provider} at {Authority} could not be reached ({Exception}: {Reason})")]
    private static partial void LogProviderUnreachable(ILogger logger, string provider, string authority, string exception, string reason);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Warning, Message = "The answer of LLM provider {Provider} could not be translated")]
    private static partial void LogUnreadableAnswer(ILogger logger, Exception exception, string provider);

    // The reason, not the exception: a provider dropping a stream is an outside event, and its stack trace says nothing about it.
    [LoggerMessage(EventId = 2701, Level = LogLevel.Warning, Message = "The stream from LLM provider {Provider} failed ({Exception}: {Reason})")]
    private static partial void LogStreamFailed(ILogger logger, string provider, string exception, string reason);

    /// <summary>A failure met before anything went to the client, which the caller asked to try elsewhere.</summary>
    private sealed class RetryableFailure(LlmFailure failure, Exception? inner) : Exception("The LLM call failed before answering: " + failure, inner)
    {
        public LlmFailure Failure { get; } = failure;
    }
}

/// <summary>What one call to a provider came to: how it failed (<see cref="LlmFailure.None"/>: it answered), and whether the client got the answer.</summary>
internal readonly record struct LlmAttempt(LlmFailure Failure, bool Answered);
