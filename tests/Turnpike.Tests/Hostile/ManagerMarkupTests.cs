using Turnpike.Tests.Infrastructure;
using Turnpike.Tests.Manager;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// Admin-stored strings are data: a consumer named like an &lt;img onerror&gt;, a tag like one, a plugin config value
/// with a &lt;script&gt;, and an API error echoing markup all show as text in the Manager and run nothing.
/// </summary>
[Collection(ManagerCollection.Name)]
public sealed class ManagerMarkupTests(ManagerClusterFixture cluster)
{
    private readonly string _name = "xss-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Names_tags_and_plugin_settings_with_markup_show_as_text_and_run_no_script()
    {
        var admin = cluster.Edge.Admin;
        var username = $"<img src=x onerror=window.__pwned=1>{_name}";
        var tag = "<b>not-bold<i>"; // tags may hold neither spaces nor slashes: markup, but no attribute
        var message = "<script>window.__pwned=3</script>";
        await admin.CreateAsync("/consumers", new { username, tags = new[] { tag } });
        await admin.CreateAsync("/services", new { name = _name, url = cluster.Upstream.Url });
        var (_, plugin) = await admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "request-termination", instance_name = _name, config = new { status_code = 503, message } });
        var pluginId = plugin!["id"]!.GetValue<string>();

        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);
        await ui.GoAsync("#/consumers", "Consumers");
        await ui.Page.GetByLabel("Search by name").FillAsync(_name);
        await Expect(ui.Page.Locator("main tbody th a")).ToHaveTextAsync(username);
        await Expect(ui.Page.Locator("main tbody .tag")).ToHaveTextAsync(tag);

        await ui.GoAsync($"#/plugins/{pluginId}", "Plugin request-termination");
        await Expect(ui.Field("config.message")).ToHaveValueAsync(message);

        // An error message that echoes the input (Kong's do) is text too.
        await ui.Field("tags").FillAsync("</script><img src=x onerror=window.__pwned=4>");
        await ui.ClickAsync("Save");
        await Expect(ui.Page.Locator("main .field[data-path='tags'] .field-error")).ToContainTextAsync("<img src=x onerror=window.__pwned=4>");

        Assert.Equal(0, await ui.Page.Locator("main img, main script, main b, main i").CountAsync());
        Assert.True(await ui.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        Assert.Empty(ui.Errors); // not even a script the CSP had to block
    }

    [Fact]
    public async Task Credentials_named_with_markup_show_as_text_in_the_list_and_in_the_edit_form()
    {
        var admin = cluster.Edge.Admin;
        var user = $"{_name}-user";
        var basic = $"<img src=x onerror=window.__pwned=5>{_name}";
        var group = $"<svg onload=window.__pwned=6>{_name}";
        await admin.CreateAsync("/consumers", new { username = user });
        await admin.CreateAsync($"/consumers/{user}/basic-auth", new { username = basic, password = "pw" });
        await admin.CreateAsync($"/consumers/{user}/acls", new { group });
        var consumerId = (await admin.GetJsonAsync($"/consumers/{user}")).Body!["id"]!.GetValue<string>();

        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);
        await ui.GoAsync($"#/consumers/{consumerId}", $"Consumer {user}");
        await Expect(ui.Page.Locator(".credential", new() { HasText = "window.__pwned=5" })).ToHaveTextAsync(basic);
        await Expect(ui.Page.Locator(".credential", new() { HasText = "window.__pwned=6" })).ToHaveTextAsync(group);
        await ui.ClickAsync($"Edit basic-auth user {basic}");
        await Expect(ui.Page.Locator("main form[aria-label^='Edit basic-auth user'] [name='username']")).ToHaveValueAsync(basic);

        Assert.Equal(0, await ui.Page.Locator("main img, main svg, main script").CountAsync());
        Assert.True(await ui.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        Assert.Empty(ui.Errors);
    }
}
