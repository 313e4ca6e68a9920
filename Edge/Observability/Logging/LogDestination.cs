using System.Net;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>
/// What the socket logging plugins share: tcp-log's and udp-log's <c>host</c>, <c>port</c> and <c>timeout</c> (Kong declares
/// them alike in both), the check of <c>tls_sni</c>, and the fixed queue.
/// </summary>
internal static class LogDestination
{
    public static readonly ConfigField<string> Host = Field.RequiredString("host").Check(HostProblem);
    public static readonly ConfigField<int> Port = Field.RequiredInteger("port", 0, 65535);
    public static readonly ConfigField<int> Timeout = Field.Integer("timeout", 0, int.MaxValue).Default(10_000);

    /// <summary>
    /// Kong's queue defaults for the plugins whose Kong schema has no <c>queue</c> (tcp-log, udp-log, syslog): batches of
    /// up to 100 sent at once, 10,000 entries at most, a minute of retries.
    /// </summary>
    public static readonly LogQueueOptions Queue = new(MaxBatchSize: 100, MaxCoalescingDelay: 0, MaxEntries: 10_000, MaxBytes: null, MaxRetryTime: 60, InitialRetryDelay: 0.01, MaxRetryDelay: 5);

    /// <summary>A host name or an IP address (Kong's <c>typedefs.host</c>).</summary>
    public static string? HostProblem(string host) =>
        IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns ? null : "invalid hostname";

    public static string? SniProblem(string? sni) => sni is null || Uri.CheckHostName(sni) == UriHostNameType.Dns ? null : "invalid hostname";
}
