namespace Turnpike.Edge.Plugins.Syslog;

/// <summary>
/// Where the syslog plugin's messages go (<c>Turnpike:Syslog</c>): the local syslog daemon's socket, as Kong's syslog(3)
/// reaches it (<c>/dev/log</c>, the default), or a daemon's UDP port written as <c>udp://host:port</c>.
/// </summary>
internal sealed class SyslogOptions
{
    public const string Section = "Turnpike:Syslog";

    public string Address { get; set; } = "/dev/log";

    /// <summary>The UDP endpoint when <see cref="Address"/> names one; null for a Unix socket path.</summary>
    public Uri? UdpEndpoint => Address.StartsWith("udp://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(Address, UriKind.Absolute, out var uri) ? uri : null;
}
