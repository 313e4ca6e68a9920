using Turnpike.Edge.Plugins.Syslog;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class SyslogOptionsValidatorTests
{
    private readonly SyslogOptionsValidator _validator = new();

    [Theory]
    [InlineData("/dev/log")]
    [InlineData("/run/systemd/journal/syslog")]
    [InlineData("udp://127.0.0.1:514")]
    [InlineData("UDP://localhost:5514")]
    public void A_socket_path_or_a_udp_endpoint_is_valid(string address) =>
        Assert.True(_validator.Validate(null, new SyslogOptions { Address = address }).Succeeded);

    [Theory]
    [InlineData("dev/log")]
    [InlineData("tcp://127.0.0.1:514")]
    [InlineData("udp://127.0.0.1")]
    [InlineData("/dev/log\nx")]
    [InlineData("")]
    public void Anything_else_is_refused_naming_the_key_and_the_value(string address) =>
        Assert.Equal(
            [$"Turnpike:Syslog:Address must be an absolute Unix socket path or udp://host:port, not '{address}'"],
            _validator.Validate(null, new SyslogOptions { Address = address }).Failures);
}
