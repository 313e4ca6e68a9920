using Prometheus;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>The logging plugins' queues, on <c>/metrics</c>: entries sent, batches retried, entries dropped (per plugin).</summary>
internal sealed class LogMetrics
{
    private readonly Counter _sent;
    private readonly Counter _retried;
    private readonly Counter _dropped;

    public LogMetrics(GatewayMetrics metrics)
    {
        _sent = metrics.Factory.CreateCounter("turnpike_log_entries_sent_total", "Log entries a logging plugin delivered", ["plugin"]);
        _retried = metrics.Factory.CreateCounter("turnpike_log_batches_retried_total", "Log batches a logging plugin sent again after a failure", ["plugin"]);
        _dropped = metrics.Factory.CreateCounter("turnpike_log_entries_dropped_total", "Log entries dropped: queue full (max_entries, max_bytes) or retries exhausted (max_retry_time)", ["plugin"]);
    }

    public void Sent(string plugin, int count) => _sent.WithLabels(plugin).Inc(count);

    public void Retried(string plugin) => _retried.WithLabels(plugin).Inc();

    public void Dropped(string plugin, int count = 1) => _dropped.WithLabels(plugin).Inc(count);

    public double DroppedCount(string plugin) => _dropped.WithLabels(plugin).Value;
}
