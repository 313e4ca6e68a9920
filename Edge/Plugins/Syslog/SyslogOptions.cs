using Microsoft.Extensions.Options;

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

/// <summary>A syslog address is an absolute socket path or <c>udp://host:port</c>.</summary>
internal sealed class SyslogOptionsValidator : IValidateOptions<SyslogOptions>
{
    public ValidateOptionsResult Validate(string? name, SyslogOptions options) =>
        options.UdpEndpoint is { Port: > 0 } || (options.Address.StartsWith('/') && options.Address.IndexOfAny(['\0', '\r', '\n']) < 0)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{SyslogOptions.Section}:Address must be an absolute Unix socket path or udp://host:port, not '{options.Address}'");
}
