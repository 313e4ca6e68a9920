using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Kong's <c>GET /tags</c> and <c>/tags/{tag}</c> on a real dev edge: one row per entity and tag, paged by rows.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class TagListingTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _tag = "tl-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_tag_lists_every_entity_carrying_it_across_kinds()
    {
        var (_, service) = await _admin.PostJsonAsync("/services", new { name = _tag, host = "h.internal", tags = new[] { _tag, _tag + "-b" } });
        var (_, route) = await _admin.PostJsonAsync($"/services/{_tag}/routes", new { paths = new[] { "/" + _tag }, tags = new[] { _tag } });
        var (_, consumer) = await _admin.PostJsonAsync("/consumers", new { username = _tag, tags = new[] { _tag } });

        var (status, body) = await _admin.GetJsonAsync($"/tags/{_tag}");
        Assert.Equal(200, status);
        var rows = body!["data"]!.AsArray().Select(r => (r!["entity_name"]!.GetValue<string>(), r["entity_id"]!.GetValue<string>(), r["tag"]!.GetValue<string>()));
        Assert.Equal(
            [("services", service!["id"]!.GetValue<string>(), _tag), ("routes", route!["id"]!.GetValue<string>(), _tag), ("consumers", consumer!["id"]!.GetValue<string>(), _tag)],
            rows);
        Assert.Null(body["next"]);
    }

    [Fact]
    public async Task All_tags_page_by_rows_and_every_row_comes_once()
    {
        await _admin.PostJsonAsync("/consumers", new { username = _tag, tags = new[] { _tag + "-1", _tag + "-2", _tag + "-3" } });

        var seen = new List<string>();
        var path = "/tags?size=2";
        for (var pages = 0; path is not null; pages++)
        {
            Assert.True(pages < 10_000);
            var (status, body) = await _admin.GetJsonAsync(path);
            Assert.Equal(200, status);
            var data = body!["data"]!.AsArray();
            Assert.True(data.Count <= 2);
            seen.AddRange(data.Select(r => $"{r!["entity_name"]}/{r["entity_id"]}/{r["tag"]}"));
            path = body["next"]?.GetValue<string>();
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(3, seen.Count(r => r.Contains(_tag + "-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Bad_tags_and_offsets_get_Kongs_400()
    {
        var (badTag, _) = await _admin.GetJsonAsync("/tags/a,b");
        var (badOffset, offsetBody) = await _admin.GetJsonAsync("/tags?offset=%%%");
        var (badSize, _) = await _admin.GetJsonAsync("/tags?size=0");
        Assert.Equal((400, 400, 400), (badTag, badOffset, badSize));
        Assert.Equal("invalid offset", offsetBody!["name"]!.GetValue<string>());
    }
}
