namespace Turnpike.Edge.Metering;

/// <summary>How an edge sends its meters to the cluster (section <c>Turnpike:Metering</c>).</summary>
internal sealed class MeteringOptions
{
    public const string Section = "Turnpike:Metering";

    /// <summary>Off only to measure what metering costs (bench): billing then sees nothing from this edge.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the edge seals what it metered into a batch (also the most a <c>kill -9</c> can lose).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where sealed batches are kept until the cluster acknowledges them, so a killed edge's batches are sent
    /// when an edge starts on the same directory. One directory per cluster; edges may share it.
    /// </summary>
    public string JournalDirectory { get; set; } = "meter-journal";

    /// <summary>How long a graceful stop waits for the last batches to be acknowledged (what is left stays journaled).</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
