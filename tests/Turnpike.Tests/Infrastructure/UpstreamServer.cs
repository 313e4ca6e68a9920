using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A real HTTP upstream on loopback. Echoes each request as JSON (<c>{method, path, query, headers, body_bytes, body}</c>);
/// <c>/slow?ms=N</c> answers late; <c>/stream</c> sends a first chunk and the rest only when released;
/// a WebSocket request echoes every message back, prefixed with <c>echo: </c>. Query parameters
/// <c>respond_header=Name:value</c> (repeatable), <c>respond_status=NNN</c> and <c>delay_ms=N</c> shape the echo's answer.
/// Counts the TCP connections it accepted, to see keep-alive pooling, and the requests served per path.
/// </summary>
internal sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;
    private readonly ConcurrentDictionary<string, string> _lastHosts = new();
    private readonly ConcurrentDictionary<string, int> _served = new();
    private TaskCompletionSource _streamRelease = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private UpstreamServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every answer waits this long first: a slow target.</summary>
    public int DelayMs { get; set; }

    public void ReleaseStream() => _streamRelease.TrySetResult();

    /// <summary>The Host of the last request for <paramref name="path"/>, such as a health probe no test sends itself.</summary>
    public string? LastHostFor(string path) => _lastHosts.GetValueOrDefault(path);

    /// <summary>How many requests for <paramref name="path"/> reached this server (a cache hit never does).</summary>
    public int ServedFor(string path) => _served.GetValueOrDefault(path);

    /// <summary>Starts on a free port, or on <paramref name="port"/> (a server brought back where it was).</summary>
    public static async Task<UpstreamServer> StartAsync(int? port = null, IPAddress? address = null)
    {
        var listenPort = port ?? FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        UpstreamServer? server = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, listenPort, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref server!._connections);
            return next(connection);
        })));
        var app = builder.Build();
        server = new UpstreamServer(app, listenPort);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStream();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        _lastHosts[request.Path.Value ?? "/"] = request.Host.Value ?? "";
        _served.AddOrUpdate(request.Path.Value ?? "/", 1, (_, n) => n + 1);
        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs, context.RequestAborted);
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            await EchoAsync(await context.WebSockets.AcceptWebSocketAsync());
            return;
        }

        if (request.Path.StartsWithSegments("/slow"))
        {
            await Task.Delay(int.Parse(request.Query["ms"].ToString() is { Length: > 0 } ms ? ms : "1000"), context.RequestAborted);
            await context.Response.WriteAsync("late");
            return;
        }

        if (request.Path.StartsWithSegments("/stream"))
        {
            _streamRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await context.Response.WriteAsync("first\n");
            await context.Response.Body.FlushAsync();
            await _streamRelease.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("last\n");
            return;
        }

        // Counts every byte; keeps the first 4 KB as text so tests can read what a small body became.
        long bodyBytes = 0;
        var buffer = new byte[16 * 1024];
        var head = new MemoryStream();
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            bodyBytes += read;
            head.Write(buffer, 0, (int)Math.Min(read, Math.Max(0, 4096 - head.Length)));
        }

        context.Response.ContentType = "application/json";
        foreach (var header in request.Query["respond_header"])
        {
            var colon = header!.IndexOf(':');
            context.Response.Headers[header[..colon]] = header[(colon + 1)..];
        }

        if (int.TryParse(request.Query["delay_ms"], out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (int.TryParse(request.Query["respond_status"], out var status))
        {
            context.Response.StatusCode = status;
        }

        await JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            method = request.Method,
            path = request.Path.Value + "",
            query = request.QueryString.Value,
            host = request.Host.Value,
            local = $"{context.Connection.LocalIpAddress}:{context.Connection.LocalPort}", // which server answered, whatever the Host
            headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body_bytes = bodyBytes,
            body = System.Text.Encoding.UTF8.GetString(head.ToArray()),
        });
    }

    private static async Task EchoAsync(System.Net.WebSockets.WebSocket socket)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
            {
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            var reply = System.Text.Encoding.UTF8.GetBytes("echo: " + System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.SendAsync(reply, received.MessageType, endOfMessage: true, CancellationToken.None);
        }
    }
}
