using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Turnpike.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Turnpike.Tests.Manager;

/// <summary>Turnpike Manager in headless Chromium against a silo and two edges: what an operator does with it.</summary>
[Collection(ManagerCollection.Name)]
public sealed class ManagerBrowserTests(ManagerClusterFixture cluster)
{
    private readonly string _name = "mgr-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Service_route_and_key_auth_made_in_the_manager_guard_the_proxy_with_401_then_200_with_a_key()
    {
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edges[0]);

        await ui.GoAsync("#/services/new", "New service");
        await ui.Field("name").FillAsync(_name);
        await ui.Field("host").FillAsync("127.0.0.1");
        await ui.Field("port").FillAsync(cluster.Upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ui.Field("tags").FillAsync("team-a\nmanager");
        await ui.ClickAsync("Create service");
        await ui.ExpectSavedAsync($"Saved service {_name}.");
        await Expect(ui.Page.GetByRole(AriaRole.Link, new() { Name = _name, Exact = true })).ToBeVisibleAsync();

        await ui.GoAsync("#/plugins/new", "New plugin");
        await ui.SelectAsync("name", "key-auth");
        await Expect(ui.Field("config.key_names")).ToHaveValueAsync("apikey");
        await ui.SelectAsync("service", _name);
        await ui.ScreenshotAsync("plugin-form");
        await ui.ClickAsync("Create plugin");
        await ui.ExpectSavedAsync("Saved plugin key-auth.");

        await ui.GoAsync("#/consumers/new", "New consumer");
        await ui.Field("username").FillAsync($"{_name}-user");
        await ui.ClickAsync("Create consumer");
        await Expect(ui.Page.Locator("main h1")).ToHaveTextAsync($"Consumer {_name}-user");
        var keyAuth = ui.Page.GetByRole(AriaRole.Form, new() { Name = "Add to Key-auth credentials" });
        await ui.Page.GetByText("Add to key-auth credentials").ClickAsync();
        await keyAuth.Locator("[name='key']").FillAsync($"{_name}-key");
        await keyAuth.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await Expect(ui.Page.Locator(".credential", new() { HasText = $"{_name}-key" })).ToBeVisibleAsync();

        await ui.GoAsync("#/routes/new", "New route");
        await ui.Field("name").FillAsync($"{_name}-route");
        await ui.Field("paths").FillAsync($"/{_name}");
        await ui.SelectAsync("service", _name);
        await ui.ClickAsync("Create route");
        await ui.ExpectSavedAsync($"Saved route {_name}-route.");
        await Expect(ui.Page.Locator("main tbody tr", new() { HasText = $"{_name}-route" })).ToContainTextAsync(_name);

        await ui.GoAsync("#/services", "Services");
        await ui.Page.GetByLabel("Search by name").FillAsync(_name);
        await Expect(ui.Page.Locator("main tbody tr")).ToHaveCountAsync(1);
        await ui.ScreenshotAsync("services");

        // Made through one edge, enforced by the other.
        var proxy = cluster.Edges[1].Proxy;
        using (var rejected = await proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        }

        using var accepted = await proxy.EventuallyAsync($"/{_name}?apikey={_name}-key", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task A_bad_plugin_value_shows_the_APIs_message_next_to_the_field_and_changes_nothing()
    {
        var admin = cluster.Edge.Admin;
        await admin.CreateAsync("/services", new { name = _name, url = cluster.Upstream.Url });
        var (_, plugin) = await admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "rate-limiting", config = new { minute = 5, policy = "local" } });
        var id = plugin!["id"]!.GetValue<string>();
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);

        await ui.GoAsync($"#/plugins/{id}", "Plugin rate-limiting");
        await Expect(ui.Field("config.minute")).ToHaveValueAsync("5");
        await ui.Field("config.minute").FillAsync("-1");
        await ui.ClickAsync("Save");

        var minute = ui.Page.Locator("main .field[data-path='config.minute']");
        await Expect(minute.Locator(".field-error")).ToHaveTextAsync("value should be between 0 and 2147483647");
        await Expect(ui.Field("config.minute")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(ui.Page.Locator("main .form-errors")).ToHaveTextAsync("Please correct the fields marked below.");
        Assert.DoesNotContain("{\"", await ui.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await ui.ScreenshotAsync("field-error");

        var (_, stored) = await admin.GetJsonAsync($"/plugins/{id}");
        Assert.Equal(5, stored!["config"]!["minute"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_cluster_view_lists_every_edge_with_the_config_version_it_applied_and_every_silo()
    {
        var ids = new List<string>();
        foreach (var edge in cluster.Edges)
        {
            var (_, status) = await edge.Status.GetJsonAsync("/status");
            ids.Add(status!["edge_id"]!.GetValue<string>());
        }

        await cluster.Edge.Admin.CreateAsync("/upstreams", new { name = _name });
        await cluster.Edge.Admin.CreateAsync($"/upstreams/{_name}/targets", new { target = "127.0.0.1:9", weight = 7 });

        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edges[1]);
        await ui.GoAsync("#/cluster", "Cluster");
        foreach (var id in ids)
        {
            await Expect(ui.Page.Locator("#edges tbody tr", new() { HasText = id })).ToHaveCountAsync(1);
        }

        var health = ui.Page.Locator("table.health", new() { HasText = $"Targets of {_name}" });
        foreach (var id in ids)
        {
            await Expect(health.Locator("thead th", new() { HasText = $"Health on {id}" })).ToHaveCountAsync(1);
        }

        await Expect(health.Locator("tbody tr", new() { HasText = "127.0.0.1:9" })).ToContainTextAsync("HEALTHCHECKS_OFF");

        var silo = ui.Page.Locator("#silos tbody tr", new() { HasText = $"127.0.0.1:{cluster.Silo.SiloPort}" });
        await Expect(silo).ToHaveCountAsync(1);
        await Expect(silo.Locator("td").Nth(2)).ToHaveTextAsync("active");
        await Expect(silo.Locator("td").Last).ToHaveTextAsync("here");
        await Expect(ui.Page.Locator(".card", new() { HasText = "Silos active" })).ToContainTextAsync("1");

        await Expect(ui.Page.Locator(".card", new() { HasText = "Route table version" })).ToContainTextAsync((await cluster.Edges[1].ConfigVersionAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ui.ScreenshotAsync("cluster");
    }

    [Fact]
    public async Task An_edge_that_joins_appears_in_the_cluster_view_when_the_cluster_link_is_followed_again()
    {
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);
        await ui.GoAsync("#/cluster", "Cluster");
        var rows = await ui.Page.Locator("#edges tbody tr").CountAsync();

        await using var joined = await EdgeNode.StartClientAsync([cluster.Silo], TimeSpan.FromMilliseconds(500), extraEnvironment: new() { ["TURNPIKE_ADMIN_TOKEN"] = ManagerClusterFixture.AdminToken });
        var (_, status) = await joined.Status.GetJsonAsync("/status");
        var id = status!["edge_id"]!.GetValue<string>();
        await Poll.UntilAsync(async () => (await cluster.Edge.Admin.GetJsonAsync("/clustering/data-planes")).Body!["data"]!.AsArray().Any(e => e!["id"]!.GetValue<string>() == id),
            TimeSpan.FromSeconds(20), "the new edge listed by the admin API");

        await ui.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Cluster" }).ClickAsync();
        await Expect(ui.Page.Locator("#edges tbody tr", new() { HasText = id })).ToHaveCountAsync(1);
        await Expect(ui.Page.Locator("#edges tbody tr")).ToHaveCountAsync(rows + 1);
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task The_usage_charts_count_the_requests_just_sent_and_the_csv_export_downloads()
    {
        var admin = cluster.Edge.Admin;
        var user = $"{_name}-user";
        await admin.CreateAsync("/services", new { name = _name, url = cluster.Upstream.Url });
        await admin.CreateAsync($"/services/{_name}/plugins", new { name = "key-auth" });
        await admin.CreateAsync("/consumers", new { username = user });
        await admin.CreateAsync($"/consumers/{user}/key-auth", new { key = $"{_name}-key" });
        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        var proxy = cluster.Edges[1].Proxy;
        using (await proxy.EventuallyAsync($"/{_name}?apikey={_name}-key", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        for (var i = 0; i < 6; i++)
        {
            using var response = await proxy.GetAsync($"/{_name}?apikey={_name}-key");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Seven requests of the consumer, once the edge has flushed its meters (every second).
        var range = $"from={DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds()}&to={DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds()}";
        JsonNode? usage = null;
        await Poll.UntilAsync(async () =>
        {
            (_, usage) = await admin.GetJsonAsync($"/billing/usage?service={_name}&consumer={user}&{range}");
            return usage?["total"]?["requests"]?.GetValue<long>() == 7;
        }, TimeSpan.FromSeconds(20), "the consumer's seven requests metered");

        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);
        await ui.GoAsync("#/usage", "Usage");
        await ui.Page.GetByLabel("Service", new() { Exact = true }).FillAsync(_name);
        await ui.ClickAsync("Show");
        await Expect(ui.Page.Locator("#total-requests")).ToHaveTextAsync("7");
        var perConsumer = ui.Page.Locator("figure[data-title='Requests per consumer']");
        await Expect(perConsumer.Locator(".chart-summary")).ToHaveTextAsync($"{user}: 7");
        await Expect(perConsumer.Locator("canvas")).ToHaveCountAsync(1);
        await Expect(ui.Page.Locator("#top-consumers tbody tr", new() { HasText = user })).ToContainTextAsync("7");

        var download = await ui.Page.RunAndWaitForDownloadAsync(() => ui.ClickAsync("Export CSV"));
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("period_start,period_end,consumer_id,consumer_username", csv, StringComparison.Ordinal);
        Assert.Contains($",{user},", csv, StringComparison.Ordinal);

        await ui.Page.GetByLabel("Service", new() { Exact = true }).FillAsync("");
        await ui.ClickAsync("Show");
        await ui.ScreenshotAsync("usage");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Without_a_token_the_pages_say_one_is_needed_in_a_sentence_not_raw_json()
    {
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge, signIn: false);
        await ui.GoAsync("#/services", "Services");
        await Expect(ui.Page.Locator("main .notice.error")).ToHaveTextAsync("The admin API needs a valid admin token: enter one under \"Admin token\".");
        Assert.DoesNotContain("{", await ui.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_opened_before_the_overview_answered_stays_when_the_overview_answers_late()
    {
        // The overview's GET / is held until the user has moved on to the services page, then answered.
        var nodeInfo = $"http://127.0.0.1:{cluster.Edge.AdminPort}/";
        var asked = new TaskCompletionSource<IRoute>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge, beforeLoad: page =>
            page.RouteAsync(url => url == nodeInfo, route => asked.TrySetResult(route) ? Task.CompletedTask : route.ContinueAsync()));
        var held = await asked.Task;
        await ui.GoAsync("#/services", "Services");

        var answered = ui.Page.WaitForResponseAsync(nodeInfo);
        await held.ContinueAsync();
        await (await answered).FinishedAsync();
        // One more round trip through the page (a search by the API) after the late answer arrived.
        await ui.Page.GetByLabel("Filter by tag").FillAsync("none-" + _name);
        await ui.ClickAsync("Apply");
        await Expect(ui.Page.Locator("main .status-line")).ToHaveTextAsync("0 services");

        await Expect(ui.Page.Locator("main h1")).ToHaveTextAsync("Services");
        await Expect(ui.Page.Locator("main h1")).ToHaveCountAsync(1);
        Assert.Equal("Services · Turnpike Manager", await ui.Page.TitleAsync());
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task On_a_phone_width_the_menu_opens_from_a_button_and_pages_fit_the_screen()
    {
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge, width: 390, height: 844);
        var menu = ui.Page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        var consumers = ui.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Consumers" });
        await Expect(consumers).ToBeHiddenAsync();
        await menu.FocusAsync();
        await ui.Page.Keyboard.PressAsync("Enter");
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await consumers.ClickAsync();
        await Expect(ui.Page.Locator("main h1")).ToHaveTextAsync("Consumers");
        var overflow = await ui.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "the page scrolls sideways at 390 px");
        await ui.ScreenshotAsync("phone");
    }
}
