using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.HttpLog;

/// <summary>Queues each request's log record; the queue's loop posts batches to the endpoint with this instance's own pooled client.</summary>
internal sealed class HttpLogHandler : IPluginHandler, IDisposable
{
    private readonly HttpLogOptions _options;
    private readonly HttpClient _client;
    private readonly LogQueue _queue;
    private readonly TimeProvider _time;

    public HttpLogHandler(HttpLogOptions options, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _time = time;
        _client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMilliseconds(options.Keepalive), UseCookies = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromMilliseconds(options.Timeout),
        };
        _queue = new LogQueue("http-log", options.Queue, SendAsync, metrics, logger, time);
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context) =>
        _queue.Add(KongLogRecord.Serialize(context, _time.GetUtcNow().ToUnixTimeMilliseconds() - context.RequestLatencyMs));

    private async Task<bool> SendAsync(IReadOnlyList<byte[]> batch, CancellationToken cancellationToken)
    {
        HttpContent body = batch.Count == 1 ? new ByteArrayContent(batch[0]) : new JsonArrayContent(batch);
        using var request = new HttpRequestMessage(new HttpMethod(_options.Method), _options.HttpEndpoint) { Content = body };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_options.ContentType);
        using var response = await _client.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Stops taking entries; the client closes once what is queued was sent (or dropped after <c>max_retry_time</c>).</summary>
    public void Dispose()
    {
        _queue.Complete();
        _ = _queue.Drained.ContinueWith(static (_, client) => ((HttpClient)client!).Dispose(), _client, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
