using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.CorrelationId;

internal sealed class CorrelationIdHandler(string headerName, string generator, bool echoDownstream) : IPluginHandler
{
    // uuid#counter: one random prefix per handler instance and a counter, as Kong does per worker.
    private readonly string _prefix = Guid.NewGuid().ToString();
    private long _counter;

    public ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var headers = context.HttpContext.Request.Headers;
        var id = headers[headerName].ToString();
        if (id.Length == 0)
        {
            id = generator switch
            {
                "uuid" => Guid.NewGuid().ToString(),
                "tracker" => $"{context.HttpContext.Connection.LocalIpAddress}-{context.HttpContext.Connection.LocalPort}-{Environment.ProcessId}-{context.HttpContext.Connection.Id}-{Interlocked.Increment(ref _counter)}-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:F3}",
                _ => $"{_prefix}#{Interlocked.Increment(ref _counter)}",
            };
            headers[headerName] = id;
        }

        context.CorrelationId = id;
        return ValueTask.FromResult(true);
    }

    public void OnResponseHeaders(ProxyContext context)
    {
        if (echoDownstream && context.CorrelationId is { } id)
        {
            context.HttpContext.Response.Headers[headerName] = id;
        }
    }
}
