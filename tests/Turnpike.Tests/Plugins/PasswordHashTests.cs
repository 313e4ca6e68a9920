using Turnpike.Edge.Plugins.BasicAuth;
using Xunit;

namespace Turnpike.Tests.Plugins;

[Fast]
public sealed class PasswordHashTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_nothing_else()
    {
        var hash = PasswordHash.Create("s3cret");
        Assert.True(PasswordHash.IsHash(hash));
        Assert.True(PasswordHash.Verify(hash, "s3cret"));
        Assert.False(PasswordHash.Verify(hash, "s3cret "));
        Assert.False(PasswordHash.Verify(hash, ""));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(PasswordHash.Create("same"), PasswordHash.Create("same"));
    }

    [Theory]
    [InlineData("s3cret")]
    [InlineData("sha256$abc$def")]
    [InlineData("sha256$00112233445566778899aabbccddeeff$zz")]
    public void Plain_text_is_not_taken_for_a_hash(string text)
    {
        Assert.False(PasswordHash.IsHash(text));
        Assert.False(PasswordHash.Verify(text, text));
    }
}
