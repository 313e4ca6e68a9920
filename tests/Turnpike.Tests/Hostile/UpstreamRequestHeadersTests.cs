using Turnpike.Edge.Proxy;
using Xunit;

namespace Turnpike.Tests.Hostile;

[Fast]
public sealed class UpstreamRequestHeadersTests
{
    [Theory]
    [InlineData("plain value", "plain value")]
    [InlineData("josé", "jos%C3%A9")]
    [InlineData("a\r\nX-Injected: 1", "a%0D%0AX-Injected: 1")]
    [InlineData("nul\0", "nul%00")]
    [InlineData("tab\tstays", "tab\tstays")]
    [InlineData("emoji 😀", "emoji %F0%9F%98%80")]
    public void Values_built_from_text_never_carry_CR_LF_NUL_or_non_ASCII(string value, string safe) =>
        Assert.Equal(safe, UpstreamRequestHeaders.Safe(value));

    [Theory]
    [InlineData("X-Consumer-ID", true)]
    [InlineData("x-consumer-username", true)]
    [InlineData("X_Consumer_ID", true)]
    [InlineData("X-Consumer-Groups", true)]
    [InlineData("X-Credential-Identifier", true)]
    [InlineData("X-Anonymous-Consumer", true)]
    [InlineData("Forwarded", true)]
    [InlineData("X-Real-IP", true)]
    [InlineData("X_Forwarded_For", true)]
    [InlineData("X-Forwarded-For", false)]  // appended to, as Kong does
    [InlineData("X-Request-ID", false)]
    [InlineData("Authorization", false)]
    public void The_gateway_owns_identity_and_forwarding_names_in_either_spelling(string name, bool owned) =>
        Assert.Equal(owned, UpstreamRequestHeaders.IsOwnedByGateway(name));
}
