namespace Turnpike.Edge.Hosting;

/// <summary>The edge's own settings (section <c>Turnpike</c>); cluster settings live in <c>Turnpike:Cluster</c>.</summary>
internal sealed class EdgeOptions
{
    public const string Section = "Turnpike";

    /// <summary>Co-host a silo in this process with in-memory state: the one-command gateway.</summary>
    public bool Dev { get; set; }

    public string Region { get; set; } = "default";

    /// <summary>Stable id of this edge; generated per process when empty.</summary>
    public string? EdgeId { get; set; }

    /// <summary>A Kong <c>_format_version: "3.0"</c> file that replaces the route table at start.</summary>
    public string? DeclarativeConfig { get; set; }

    /// <summary>Kong's pair: 8000 plain, 8443 TLS (certificates by SNI from the route table).</summary>
    public ProxyListenerOptions Proxy { get; set; } = new() { Urls = "http://127.0.0.1:8000;https://127.0.0.1:8443" };

    public AdminListenerOptions Admin { get; set; } = new() { Urls = "http://127.0.0.1:8001" };

    public ListenerOptions Status { get; set; } = new() { Urls = "http://127.0.0.1:8100" };

    public RouteTableSyncOptions Sync { get; set; } = new();

    /// <summary>
    /// Finish socket I/O and start request processing on the I/O threads rather than queueing each step to the
    /// thread pool (.NET's inline socket completions, Kestrel's inline scheduling), with one I/O thread per core.
    /// Measured on 2 cores (bench/README.md): 7-30 % more proxy throughput (0.68-0.84 × nginx), but p99
    /// latency about 1 ms higher at low concurrency. Off by default; on for throughput-bound edges.
    /// </summary>
    public bool InlineIo { get; set; }

    /// <summary>
    /// Finish socket I/O on the I/O threads, one per core, while requests still run on the thread pool (the half of
    /// <see cref="InlineIo"/> without its latency tail). Measured on 2 cores (bench/README.md): +6-13 % proxy
    /// throughput at 64 connections, p99 unchanged at 8. On by default; <see cref="InlineIo"/> implies it.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;
}

internal sealed class ListenerOptions
{
    /// <summary>One or more <c>http://address:port</c> or <c>https://address:port</c>, separated by <c>;</c> or <c>,</c>.</summary>
    public string Urls { get; set; } = "";

    /// <summary>The certificate of the <c>https://</c> URLs.</summary>
    public CertificateFileOptions Certificate { get; set; } = new();
}

internal sealed class ProxyListenerOptions
{
    /// <summary>One or more <c>http://</c>, <c>https://</c> or <c>h2c://address:port</c>, separated by <c>;</c> or <c>,</c>.</summary>
    public string Urls { get; set; } = "";

    /// <summary>The certificate served on <c>https://</c> URLs when no SNI of the route table names the host (optional).</summary>
    public CertificateFileOptions Certificate { get; set; } = new();

    public ProxyLimitsOptions Limits { get; set; } = new();
}

internal sealed class RouteTableSyncOptions
{
    /// <summary>How often an edge renews its subscription and checks the table version (repairs missed notifications).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The first wait after the route table could not be reached; each further failure doubles it (jittered) up to
    /// <see cref="RetryMaxDelay"/>. Meanwhile the edge serves its last table.
    /// </summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts while the route table is unreachable: how long recovery may lag behind the cluster.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Told of a new version, an edge waits a random time up to this long before it pulls, so a fleet's pulls reach the
    /// route table spread over this window rather than in the same millisecond. Zero (the default, for a handful of
    /// edges): pull at once; the large-fleet profile spreads over 50 ms.
    /// </summary>
    public TimeSpan NotificationSpread { get; set; } = TimeSpan.Zero;
}
