using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.FileLog;

/// <summary>Queues each request's record; the queue's loop appends the lines (Kong's queue defaults: batches of up to 100 here, written at once).</summary>
internal sealed class FileLogHandler : IPluginHandler, IDisposable
{
    private static readonly LogQueueOptions Queue = new(MaxBatchSize: 100, MaxCoalescingDelay: 0, MaxEntries: 10_000, MaxBytes: null, MaxRetryTime: 60, InitialRetryDelay: 0.01, MaxRetryDelay: 5);

    private readonly FileLogOptions _options;
    private readonly LogQueue _queue;
    private readonly TimeProvider _time;
    private FileStream? _file;

    public FileLogHandler(FileLogOptions options, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _time = time;
        _queue = new LogQueue("file-log", Queue, WriteAsync, metrics, logger, time);
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context) =>
        _queue.Add(KongLogRecord.Serialize(context, _time.GetUtcNow().ToUnixTimeMilliseconds() - context.RequestLatencyMs));

    private async Task<bool> WriteAsync(IReadOnlyList<byte[]> batch, CancellationToken cancellationToken)
    {
        var file = _options.Reopen || _file is null ? Open() : _file;
        try
        {
            await file.WriteAsync(Lines(batch), cancellationToken);
        }
        catch (IOException)
        {
            await DropAsync(file);
            throw;
        }

        if (_options.Reopen)
        {
            await file.DisposeAsync();
        }
        else
        {
            _file = file;
        }

        return true;
    }

    /// <summary>Stops taking entries; the file closes once what is queued was written.</summary>
    public void Dispose()
    {
        _queue.Complete();
        _ = _queue.Drained.ContinueWith(static (_, handler) => ((FileLogHandler)handler!)._file?.Dispose(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private FileStream Open() => AppendOnlyFile.Open(_options.Path);

    /// <summary>The batch as one write, so its lines reach the file together and never between another writer's.</summary>
    private static byte[] Lines(IReadOnlyList<byte[]> batch)
    {
        var length = 0;
        foreach (var line in batch)
        {
            length += line.Length + 1;
        }

        var lines = new byte[length];
        var at = 0;
        foreach (var line in batch)
        {
            line.CopyTo(lines, at);
            at += line.Length;
            lines[at++] = (byte)'\n';
        }

        return lines;
    }

    private async Task DropAsync(FileStream file)
    {
        _file = null;
        await file.DisposeAsync();
    }
}
