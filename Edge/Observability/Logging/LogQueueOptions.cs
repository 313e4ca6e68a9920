using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>Kong 3.x's <c>queue</c> record of the logging plugins, with its defaults.</summary>
internal sealed record LogQueueOptions(
    int MaxBatchSize, double MaxCoalescingDelay, int MaxEntries, int? MaxBytes, double MaxRetryTime, double InitialRetryDelay, double MaxRetryDelay)
{
    private static readonly ConfigField<double> MaxCoalescingDelayField = Field.Number("max_coalescing_delay", 0, 3600).Default(1.0);
    private static readonly ConfigField<int> MaxEntriesField = Field.Integer("max_entries", 1, 1_000_000).Default(10_000);
    private static readonly ConfigField<int?> MaxBytesField = Field.Integer("max_bytes", 1, int.MaxValue);
    private static readonly ConfigField<double> MaxRetryTimeField = Field.Number("max_retry_time", 0, 1_000_000).Default(60.0);
    private static readonly ConfigField<double> InitialRetryDelayField = Field.Number("initial_retry_delay", 0.001, 1_000_000).Default(0.01);
    private static readonly ConfigField<double> MaxRetryDelayField = Field.Number("max_retry_delay", 0.001, 1_000_000).Default(60.0);

    /// <summary>The <c>queue</c> field of a logging plugin's config.</summary>
    public static readonly ConfigField<LogQueueOptions> QueueField = QueueFieldWith(maxBatchSize: 1);

    /// <summary>The <c>queue</c> field with a plugin's own default batch size (Kong's opentelemetry: 200).</summary>
    public static ConfigField<LogQueueOptions> QueueFieldWith(int maxBatchSize)
    {
        var batch = Field.Integer("max_batch_size", 1, 1_000_000).Default(maxBatchSize);
        return Field.Record("queue", new ConfigSchema<LogQueueOptions>(
            [batch, MaxCoalescingDelayField, MaxEntriesField, MaxBytesField, MaxRetryTimeField, InitialRetryDelayField, MaxRetryDelayField],
            c => new(c.Get(batch), c.Get(MaxCoalescingDelayField), c.Get(MaxEntriesField), c.Get(MaxBytesField), c.Get(MaxRetryTimeField), c.Get(InitialRetryDelayField), c.Get(MaxRetryDelayField))));
    }
}
