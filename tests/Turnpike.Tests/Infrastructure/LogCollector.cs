using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// An HTTP log collector on loopback (what http-log posts to): keeps every entry it accepted. It can be held (each
/// POST waits at a gate: a slow collector), stopped (down: connections refused) and started again on the same port.
/// A POST aborted while held records nothing.
/// </summary>
internal sealed class LogCollector : IAsyncDisposable
{
    private WebApplication? _app;
    private TaskCompletionSource _gate = Open();

    private LogCollector(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/logs";

    /// <summary>Every entry accepted (a batch's array is split into its entries), in order of arrival.</summary>
    public ConcurrentQueue<JsonObject> Entries { get; } = new();

    /// <summary>POSTs that reached the collector (held or not).</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    private int _arrived;

    public static async Task<LogCollector> StartAsync()
    {
        var collector = new LogCollector(FreePorts.Next());
        await collector.UpAsync();
        return collector;
    }

    /// <summary>From now on each POST waits until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>Down: the listener closes and held POSTs are aborted unrecorded.</summary>
    public async Task DownAsync()
    {
        var app = _app!;
        _app = null;
        await app.StopAsync(new CancellationToken(canceled: true));
        await app.DisposeAsync();
    }

    /// <summary>Up again on the same port, taking entries at once.</summary>
    public async Task UpAsync()
    {
        Release();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/logs", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _arrived);
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var aborted = new TaskCompletionSource();
            using (context.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                await Task.WhenAny(_gate.Task, aborted.Task);
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                return Results.StatusCode(499);
            }

            foreach (var entry in JsonNode.Parse(body) is JsonArray batch ? batch.Select(e => e!.AsObject()) : [JsonNode.Parse(body)!.AsObject()])
            {
                Entries.Enqueue(entry);
            }

            return Results.Ok();
        });
        await app.StartAsync();
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        if (_app is not null)
        {
            await DownAsync();
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
