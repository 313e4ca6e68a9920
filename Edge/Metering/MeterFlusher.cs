using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;
using Turnpike.Hosting;
using Turnpike.Metering;

namespace Turnpike.Edge.Metering;

/// <summary>
/// Every flush interval, seals what this edge metered into a batch (edge instance, next sequence), journals it,
/// and hands it to a sender that delivers batches in order, each part to its meter grain, resending until
/// every part is acknowledged. Batches left by a dead edge in the journal directory go first. A graceful stop
/// seals the last interval and waits (up to <see cref="MeteringOptions.StopTimeout"/>) for it to be acknowledged.
/// </summary>
internal sealed partial class MeterFlusher(
    MeterRecorder recorder,
    IGrainFactory grains,
    EdgeIdentity identity,
    IOptions<MeteringOptions> options,
    TimeProvider time,
    ILogger<MeterFlusher> logger) : BackgroundService
{
    private readonly Channel<(MeterBatch Batch, Action Acknowledged)> _queue = Channel.CreateUnbounded<(MeterBatch, Action)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();
    private long _sequence;
    private long _pending;
    private long _acknowledged;

    public long PendingBatches => Interlocked.Read(ref _pending);

    public long AcknowledgedBatches => Interlocked.Read(ref _acknowledged);

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var instance = string.Concat($"{identity.EdgeId}-{Guid.NewGuid():N}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        using var journal = MeterJournal.Create(settings.JournalDirectory, instance);
        foreach (var (orphan, batches, done) in MeterJournal.TakeOverOrphans(settings.JournalDirectory))
        {
            LogTakingOver(logger, orphan, batches.Count);
            var left = batches.Count;
            foreach (var batch in batches)
            {
                Enqueue(batch, () =>
                {
                    if (--left == 0)
                    {
                        done();
                    }
                });
            }

            if (batches.Count == 0)
            {
                done();
            }
        }

        var sender = Task.Run(SendAllAsync, CancellationToken.None);
        try
        {
            // A delay per interval rather than a PeriodicTimer, whose timer fires every interval even while nobody waits.
            while (true)
            {
                await Task.Delay(settings.FlushInterval, time, stoppingToken);
                // Nothing metered in an interval: sleep until a request is, rather than tick on an idle edge.
                var recorded = recorder.Recorded.Arm();
                if (!Seal(journal))
                {
                    await WorkSignal.WaitAsync(recorded, null, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Stopping: the last interval too, then as long as the stop timeout allows for acknowledgements.
        Seal(journal);
        _queue.Writer.Complete();
        try
        {
            await sender.WaitAsync(settings.StopTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            await _abandon.CancelAsync();
            LogStoppedWithPending(logger, PendingBatches);
        }
    }

    /// <summary>Seals what was metered since the last seal into a batch; false when there was nothing.</summary>
    private bool Seal(MeterJournal journal)
    {
        var entries = recorder.Collect();
        if (entries.Count == 0)
        {
            return false;
        }

        var batch = new MeterBatch { EdgeInstance = journal.Instance, Sequence = ++_sequence, Entries = [.. entries] };
        journal.Append(batch);
        Enqueue(batch, () => journal.Acknowledge(batch.Sequence));
        return true;
    }

    private void Enqueue(MeterBatch batch, Action acknowledged)
    {
        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite((batch, acknowledged));
    }

    private async Task SendAllAsync()
    {
        await foreach (var (batch, acknowledged) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (!await SendAsync(batch))
            {
                return; // abandoned at stop: the journal keeps the rest
            }

            acknowledged();
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _acknowledged);
        }
    }

    /// <summary>Delivers each meter grain its part of the batch, resending the parts not acknowledged; false if abandoned.</summary>
    private async Task<bool> SendAsync(MeterBatch batch)
    {
        var parts = batch.Entries
            .GroupBy(e => MeterGrainKeys.Key(e.Hour, MeterGrainKeys.ShardOf(e.ConsumerId)))
            .ToDictionary(g => g.Key, g => batch with { Entries = [.. g] });
        // Jittered: every edge of a fleet resends when the cluster comes back. One line when a batch is first refused and
        // one when it gets through, not one (with a stack trace) per attempt: an outage repeats the same failure.
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        while (true)
        {
            Exception? failure = null;
            var results = await Task.WhenAll(parts.Select(async part =>
            {
                try
                {
                    await grains.GetGrain<IMeterGrain>(part.Key).Apply(part.Value);
                    return part.Key;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure = ex;
                    return null;
                }
            }));
            foreach (var done in results.OfType<string>())
            {
                parts.Remove(done);
            }

            if (parts.Count == 0)
            {
                if (backoff.Failures > 0)
                {
                    LogSentAfterRetries(logger, batch.EdgeInstance, batch.Sequence, backoff.Failures + 1);
                }

                return true;
            }

            if (backoff.Failures == 0 && failure is not null)
            {
                LogSendFailed(logger, batch.EdgeInstance, batch.Sequence, parts.Count, failure.GetType().Name, failure.Message.ReplaceLineEndings(" "));
            }

            try
            {
                await Task.Delay(backoff.Next(), time, _abandon.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Sending {Count} unacknowledged meter batches journaled by edge instance {Instance}")]
    private static partial void LogTakingOver(ILogger logger, string instance, int count);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "Meter batch {Sequence} of {Instance} not acknowledged ({Parts} parts; {Error}: {Reason}); sending it again with back-off")]
    private static partial void LogSendFailed(ILogger logger, string instance, long sequence, int parts, string error, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Meter batch {Sequence} of {Instance} acknowledged after {Attempts} attempts")]
    private static partial void LogSentAfterRetries(ILogger logger, string instance, long sequence, int attempts);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Stopped with {Count} meter batches unacknowledged; they stay in the journal for the next edge on this directory")]
    private static partial void LogStoppedWithPending(ILogger logger, long count);
}
