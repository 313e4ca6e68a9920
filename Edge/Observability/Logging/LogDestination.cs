using System.Net;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>The checks of the socket logging plugins' <c>host</c> and <c>tls_sni</c>, and the fixed queue they share.</summary>
internal static class LogDestination
{
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
