using Turnpike.Edge.Routing;
using Xunit;

namespace Turnpike.Tests.Routing;

[Fast]
public sealed class UpstreamPathTests
{
    // Kong's documented path_handling table: service path, route path, request, strip_path, v0 result, v1 result.
    [Theory]
    [InlineData("/s", "/fv0", "/fv0req", false, "/s/fv0req", "/sfv0req")]
    [InlineData("/s", "/fv1", "/fv1req", true, "/s/req", "/sreq")]
    [InlineData("/s", "/tv0/", "/tv0/req", false, "/s/tv0/req", "/stv0/req")]
    [InlineData("/s", "/tv1/", "/tv1/req", true, "/s/req", "/sreq")]
    [InlineData("/s/", "/fv0", "/fv0req", false, "/s/fv0req", "/s/fv0req")]
    [InlineData("/s/", "/fv1", "/fv1req", true, "/s/req", "/s/req")]
    [InlineData("/s/", "/tv0/", "/tv0/req", false, "/s/tv0/req", "/s/tv0/req")]
    [InlineData("/s/", "/tv1/", "/tv1/req", true, "/s/req", "/s/req")]
    public void Joins_service_and_request_paths_as_Kong_path_handling_does(string servicePath, string routePath, string request, bool strip, string v0, string v1)
    {
        var stripLength = strip ? routePath.Length : -1;
        Assert.Equal(v0, UpstreamPath.Build(servicePath, request, stripLength, v1: false));
        Assert.Equal(v1, UpstreamPath.Build(servicePath, request, stripLength, v1: true));
    }

    [Theory]
    [InlineData(null, "/api/users", 4, "/users")]
    [InlineData(null, "/api", 4, "/")]
    [InlineData(null, "/api/users", -1, "/api/users")]
    [InlineData("/base", "/api", 4, "/base")]
    [InlineData("/base", "/api/", 4, "/base/")]
    public void Strips_the_matched_prefix_onto_the_service_path(string? servicePath, string request, int strip, string expected) =>
        Assert.Equal(expected, UpstreamPath.Build(servicePath, request, strip, v1: false));
}
