using Turnpike.Edge.Proxy;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>The one path rule: what routes match (canonical) and what the upstream gets (escaped), from the request line.</summary>
[Fast]
public sealed class RequestPathTests
{
    [Theory]
    [InlineData("/a/b", "/a/b", "/a/b")]
    [InlineData("/a%2Fb", "/a%2Fb", "/a%2Fb")]                      // an escaped slash stays escaped, never a separator
    [InlineData("/x/caf%C3%A9", "/x/café", "/x/caf%C3%A9")]          // UTF-8 decoded for matching, escaped on the wire
    [InlineData("/x/caf%c3%a9", "/x/café", "/x/caf%C3%A9")]
    [InlineData("/%61dmin", "/admin", "/%61dmin")]                    // the client's escapes kept
    [InlineData("/a/%2e%2e/b", "/b", "/b")]                            // escaped dot segments are dot segments
    [InlineData("/a/./b/../c", "/a/c", "/a/c")]
    [InlineData("//admin", "/admin", "/admin")]                        // empty segments merged
    [InlineData("/a//b/", "/a/b/", "/a/b/")]
    [InlineData("/a/.", "/a/", "/a/")]
    [InlineData("/..", "/", "/")]
    [InlineData("/", "/", "/")]
    [InlineData("/a%0D%0AX-Injected:%201", "/a\r\nX-Injected: 1", "/a%0D%0AX-Injected:%201")]
    [InlineData("/a%20b", "/a b", "/a%20b")]
    public void Paths_are_canonical_for_matching_and_escaped_for_the_upstream(string raw, string canonical, string encoded)
    {
        var path = RequestPath.Parse(raw) ?? throw new InvalidOperationException(raw + " was refused");
        Assert.Equal(canonical, path.Canonical);
        Assert.Equal(encoded, path.Encoded);
    }

    [Theory]
    [InlineData("/x/..%2Fadmin")]   // a dot segment an upstream that decodes %2F would walk
    [InlineData("/x/%2F..")]
    [InlineData("/x/..%5Cadmin")]   // and one that treats a backslash as a slash
    [InlineData("/%zz")]            // not an escape
    [InlineData("/%C3")]            // not UTF-8
    [InlineData("/a%00b")]          // NUL
    [InlineData("a/b")]             // not origin-form
    public void Refused_paths_are_null(string raw) => Assert.Null(RequestPath.Parse(raw));

    [Fact]
    public void Canonical_prefix_lengths_map_to_the_escaped_form()
    {
        var path = RequestPath.Parse("/caf%C3%A9/x%2Fy")!.Value;
        Assert.Equal("/café/x%2Fy", path.Canonical);
        Assert.Equal("/caf%C3%A9".Length, path.EncodedLength("/café".Length));
        Assert.Equal("/caf".Length, path.EncodedLength("/caf".Length));
        Assert.Equal(path.Encoded.Length, path.EncodedLength(path.Canonical.Length));
    }

    [Theory]
    [InlineData("/base", "/base")]
    [InlineData("/caf%C3%A9", "/caf%C3%A9")]
    [InlineData("/café", "/caf%C3%A9")]
    [InlineData("/a b\r\n", "/a%20b%0D%0A")]
    [InlineData("/100%", "/100%25")]
    public void Admin_paths_are_escaped_where_they_may_not_stand_literally(string path, string escaped) =>
        Assert.Equal(escaped, RequestPath.EscapeUnsafe(path));
}
