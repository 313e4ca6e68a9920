namespace Turnpike.Edge.Hosting;

/// <summary>
/// The proxy's connection and request limits (<c>Turnpike:Proxy:Limits</c>), chosen on purpose rather than left to
/// whatever Kestrel ships with. Defaults follow Envoy's edge-proxy recommendations and Kong's nginx settings where
/// they differ from Kestrel's (docs/security.md lists each with its source). Header sizes, timeouts and data
/// rates are Kestrel's server-wide limits, so the admin and status listeners get them too; the connection limit
/// is the proxy listener's own, so a flood of proxy connections cannot lock operators out of the admin API.
/// </summary>
internal sealed class ProxyLimitsOptions
{
    public const string Section = "Turnpike:Proxy:Limits";

    /// <summary>Open proxy connections at most; a connection past it is closed at once (Envoy's edge overload limit: 50,000).</summary>
    public long MaxConcurrentConnections { get; set; } = 50_000;

    /// <summary>Longest request line (method, target, version); longer: 414 (Kestrel's and nginx's 8 KiB).</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>All request headers together; more: 431 (Kestrel's 32 KiB; Envoy's default is 60 KiB).</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Request headers at most; more: 431 (Kestrel's and Envoy's 100).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Largest request body in bytes (streamed, never held); larger: 413. 0: no limit (Kong's default).</summary>
    public long MaxRequestBodySize { get; set; } = 128L * 1024 * 1024;

    /// <summary>Time for a client to send all request headers; slower: 408 (Envoy's edge recommendation: 10 s; Kestrel's: 30 s).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time for a client to complete the TLS handshake on an <c>https://</c> listener, from the connection's accept
    /// (reading its ClientHello included); slower: the connection is closed (Kestrel's default: 10 s).
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle keep-alive connection stays open (Kong's nginx: 60 s; Kestrel's: 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Slowest request body, in bytes per second after <see cref="MinDataRateGracePeriod"/>; slower: 408 (Kestrel's 240).</summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>Slowest reader of a response, in bytes per second after the grace period; slower: the connection is closed (Kestrel's 240).</summary>
    public double MinResponseDataRate { get; set; } = 240;

    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>HTTP/2 streams at once per connection (Envoy's edge recommendation and Kestrel's: 100).</summary>
    public int Http2MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>HTTP/2 per-stream flow-control window (Envoy's edge recommendation: 64 KiB; Kestrel's: 768 KiB).</summary>
    public int Http2InitialStreamWindowSize { get; set; } = 64 * 1024;

    /// <summary>HTTP/2 per-connection flow-control window (Envoy's edge recommendation: 1 MiB).</summary>
    public int Http2InitialConnectionWindowSize { get; set; } = 1024 * 1024;

    /// <summary>HTTP/2 HPACK dynamic table size (RFC 7540's and Kestrel's 4 KiB).</summary>
    public int Http2HeaderTableSize { get; set; } = 4096;
}
