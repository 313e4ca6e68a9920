using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Hosting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class AdminAuthenticationOptionsValidatorTests
{
    private static AdminAuthenticationOptionsValidator Validator(string adminUrls) =>
        new(Options.Create(new EdgeOptions { Admin = new AdminListenerOptions { Urls = adminUrls } }));

    [Fact]
    public void Without_a_token_a_loopback_admin_listener_is_allowed() =>
        Assert.True(Validator("http://127.0.0.1:8001;http://[::1]:8001").Validate(null, new AdminAuthenticationOptions()).Succeeded);

    [Fact]
    public void Without_a_token_an_admin_listener_open_to_the_network_is_refused()
    {
        var failure = Assert.Single(Validator("http://127.0.0.1:8001;http://0.0.0.0:8001").Validate(null, new AdminAuthenticationOptions()).Failures!);

        Assert.StartsWith("Turnpike:Admin:Urls listens on 0.0.0.0:8001, which is not a loopback address, and no Turnpike:Admin:Token is set", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_makes_a_network_listener_acceptable() =>
        Assert.True(Validator("http://0.0.0.0:8001").Validate(null, new AdminAuthenticationOptions { Token = "0123456789abcdef" }).Succeeded);

    [Theory]
    [InlineData("short", "length must be at least 16")]
    [InlineData("0123456789abcdef 0123", "must be printable ASCII without spaces")]
    public void A_token_an_admin_could_not_have_is_refused(string token, string problem) =>
        Assert.Equal(
            [$"Turnpike:Admin:Token (or TURNPIKE_ADMIN_TOKEN): {problem}."],
            Validator("http://127.0.0.1:8001").Validate(null, new AdminAuthenticationOptions { Token = token }).Failures);
}
