using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.Syslog;

/// <summary>A syslog address is an absolute socket path or <c>udp://host:port</c>.</summary>
internal sealed class SyslogOptionsValidator : IValidateOptions<SyslogOptions>
{
    public ValidateOptionsResult Validate(string? name, SyslogOptions options) =>
        options.UdpEndpoint is { Port: > 0 } || (options.Address.StartsWith('/') && options.Address.IndexOfAny(['\0', '\r', '\n']) < 0)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{SyslogOptions.Section}:Address must be an absolute Unix socket path or udp://host:port, not '{options.Address}'");
}
