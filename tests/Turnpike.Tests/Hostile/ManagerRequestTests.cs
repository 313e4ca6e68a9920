using System.Net;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// <c>/manager</c> fed what an attacker would: other methods, paths that climb out or hide bytes, huge paths, the
/// wrong listener. Every answer carries the page's security headers, nothing reaches the file system, no 5xx.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ManagerRequestTests(DevGatewayFixture fixture)
{
    private readonly EdgeNode _edge = fixture.Edge;

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Theory]
    [InlineData("/manager/", HttpStatusCode.OK)]
    [InlineData("/manager/js/app.js", HttpStatusCode.OK)]
    [InlineData("/manager/vendor/uplot/uPlot.esm.js", HttpStatusCode.OK)]
    [InlineData("/manager/no-such-file.js", HttpStatusCode.NotFound)]
    public async Task Every_manager_answer_carries_a_CSP_without_inline_scripts_nosniff_and_no_framing(string path, HttpStatusCode expected)
    {
        using var response = await _edge.Admin.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task The_bare_path_redirects_to_the_page_with_its_trailing_slash()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _edge.Admin.BaseAddress };
        using var response = await client.GetAsync("/manager");
        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("/manager/", response.Headers.Location!.OriginalString);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task The_page_loads_only_its_own_module_script_and_no_inline_script()
    {
        var html = await _edge.Admin.GetStringAsync("/manager/");
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Methods_other_than_GET_and_HEAD_get_405(string method)
    {
        using var response = await _edge.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/manager/index.html") { Content = new StringContent("x") });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Theory]
    [InlineData("/manager/../appsettings.json")]
    [InlineData("/manager/%2e%2e/appsettings.json")]
    [InlineData("/manager/js/..%2f..%2fappsettings.json")]
    [InlineData("/manager/%2e%2e%2f%2e%2e%2fTurnpike.Edge.dll")]
    [InlineData("/manager/js/")]
    [InlineData("/manager/%00")]
    [InlineData("/manager/index.html%00.js")]
    [InlineData("/manager/C:%5cWindows%5cwin.ini")]
    [InlineData("/manager//etc/passwd")]
    public async Task Paths_that_climb_out_or_hide_bytes_never_reach_a_file(string path)
    {
        var (status, text) = await RawHttp.SendAsync(_edge.AdminPort, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.True(status is 400 or 404, $"{path}: {status}");
        Assert.DoesNotContain("Turnpike", text.Split("\r\n\r\n", 2)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_path_is_refused_without_a_server_error()
    {
        var (status, _) = await RawHttp.SendAsync(_edge.AdminPort, $"GET /manager/{new string('a', 60_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.True(status is 404 or 414 or 431, $"{status}");
    }

    [Fact]
    public async Task The_manager_is_served_on_the_admin_listener_only()
    {
        using var onProxy = await _edge.Proxy.GetAsync("/manager/");
        using var onStatus = await _edge.Status.GetAsync("/manager/");
        Assert.Equal(HttpStatusCode.NotFound, onProxy.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onStatus.StatusCode);
        Assert.DoesNotContain("<html", await onProxy.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_repeated_request_with_the_etag_is_answered_304_without_a_body()
    {
        using var first = await _edge.Admin.GetAsync("/manager/manager.css");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/manager/manager.css");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await _edge.Admin.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }
}
