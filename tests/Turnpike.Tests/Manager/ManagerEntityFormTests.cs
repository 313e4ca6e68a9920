using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Turnpike.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Turnpike.Tests.Manager;

/// <summary>
/// The Manager's forms beyond services, routes and plugins, in headless Chromium against a silo and two edges:
/// certificates, upstreams and their targets, and a consumer's credentials other than key-auth.
/// </summary>
[Collection(ManagerCollection.Name)]
public sealed class ManagerEntityFormTests(ManagerClusterFixture cluster)
{
    private readonly string _name = "mgr-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_certificate_pasted_in_the_manager_serves_its_SNIs_and_a_broken_PEM_gets_the_APIs_message_by_the_cert_field()
    {
        using var leaf = TestCertificates.Leaf(null, [$"{_name}.test"]);
        var sni = $"{_name}.test";
        var admin = cluster.Edge.Admin;
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edges[1]);

        await ui.GoAsync("#/certificates/new", "New certificate");
        await ui.Field("cert").FillAsync("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        await ui.Field("key").FillAsync(leaf.KeyPem);
        await ui.Field("snis").FillAsync(sni);
        await ui.ClickAsync("Create certificate");
        var certError = ui.Page.Locator("main .field[data-path='cert'] .field-error");
        await Expect(certError).ToBeVisibleAsync();
        await Expect(certError).ToHaveTextAsync(new Regex("certificate", RegexOptions.IgnoreCase));
        await Expect(ui.Field("cert")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.DoesNotContain("{\"", await ui.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(404, (await admin.GetJsonAsync($"/snis/{sni}")).Status);

        await ui.Field("cert").FillAsync(leaf.CertPem);
        await ui.ClickAsync("Create certificate");
        await ui.ExpectSavedAsync("Saved certificate");
        await ui.Page.GetByLabel("Search by name").FillAsync(sni);
        var row = ui.Page.Locator("main tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(sni);
        var (status, stored) = await admin.GetJsonAsync($"/snis/{sni}");
        Assert.Equal(200, status);
        var certificateId = stored!["certificate"]!["id"]!.GetValue<string>();

        // Edited: a second name, and the first one stays.
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(ui.Page.Locator("main h1")).ToHaveTextAsync($"Certificate {certificateId}");
        await Expect(ui.Field("snis")).ToHaveValueAsync(sni);
        await ui.Field("snis").FillAsync($"{sni}\nwww.{sni}");
        await ui.ClickAsync("Save");
        await ui.ExpectSavedAsync($"Saved certificate {certificateId}.");
        await Expect(ui.Page.Locator("main tbody tr", new() { HasText = certificateId })).ToContainTextAsync($"{sni}, www.{sni}");
        Assert.Equal(certificateId, (await admin.GetJsonAsync($"/snis/www.{sni}")).Body!["certificate"]!["id"]!.GetValue<string>());
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task An_upstream_and_target_made_in_the_manager_carry_traffic_and_the_target_is_edited_and_deleted_in_place()
    {
        var target = $"127.0.0.1:{cluster.Upstream.Port}";
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);

        await ui.GoAsync("#/upstreams/new", "New upstream");
        await ui.Field("name").FillAsync(_name);
        await ui.ClickAsync("Create upstream");
        await Expect(ui.Page.Locator("main h1")).ToHaveTextAsync($"Upstream {_name}");
        await ui.Page.GetByText("Add to targets").ClickAsync();
        var add = ui.Page.GetByRole(AriaRole.Form, new() { Name = "Add to Targets" });
        await add.Locator("[name='target']").FillAsync(target);
        await add.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await Expect(ui.Page.Locator(".credential", new() { HasText = target })).ToHaveTextAsync($"{target} (weight 100)");
        await Expect(ui.Page.Locator("table.health tbody tr", new() { HasText = target })).ToHaveCountAsync(1);
        await ui.ScreenshotAsync("upstream");

        // A service pointing at the upstream by name: the target made in the UI answers through the other edge.
        var admin = cluster.Edge.Admin;
        await admin.CreateAsync("/services", new { name = _name, host = _name, port = 80 });
        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        var proxy = cluster.Edges[1].Proxy;
        using (var ok = await proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await ui.ClickAsync($"Edit target {target} (weight 100)");
        var edit = ui.Page.GetByRole(AriaRole.Form, new() { Name = $"Edit target {target} (weight 100)" });
        await Expect(edit.Locator("[name='target']")).ToHaveValueAsync(target);
        await edit.Locator("[name='weight']").FillAsync("-1");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(edit.Locator(".field[data-path='weight'] .field-error")).ToHaveTextAsync("value should be between 0 and 65535");
        await edit.Locator("[name='weight']").FillAsync("5");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(ui.Page.Locator(".credential", new() { HasText = target })).ToHaveTextAsync($"{target} (weight 5)");
        var (_, targets) = await admin.GetJsonAsync($"/upstreams/{_name}/targets");
        Assert.Equal(5, Assert.Single(targets!["data"]!.AsArray())!["weight"]!.GetValue<int>());

        await ui.ClickAsync($"Delete target {target} (weight 5)");
        await ui.ClickAsync($"Confirm delete of target {target} (weight 5)");
        await Expect(ui.Page.Locator("main .credential-list li.empty")).ToHaveTextAsync("No targets yet.");
        using (var gone = await proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
        }

        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Basic_auth_hmac_jwt_and_acl_credentials_are_added_on_the_consumer_page_and_a_changed_password_takes_effect()
    {
        var admin = cluster.Edge.Admin;
        var user = $"{_name}-user";
        await admin.CreateAsync("/services", new { name = _name, url = cluster.Upstream.Url });
        await admin.CreateAsync($"/services/{_name}/plugins", new { name = "basic-auth" });
        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        await admin.CreateAsync("/consumers", new { username = user });
        var consumerId = (await admin.GetJsonAsync($"/consumers/{user}")).Body!["id"]!.GetValue<string>();
        await using var ui = await ManagerSession.OpenAsync(cluster, cluster.Edge);
        await ui.GoAsync($"#/consumers/{consumerId}", $"Consumer {user}");

        await AddAsync(ui, "Basic-auth credentials", ("username", $"{_name}-basic"), ("password", "first-secret"));
        await AddAsync(ui, "HMAC-auth credentials", ("username", $"{_name}-hmac"), ("secret", "hmac-secret-0123456789"));
        await AddAsync(ui, "JWT credentials", ("key", $"{_name}-issuer"), ("secret", "jwt-secret-0123456789"));
        await AddAsync(ui, "ACL groups", ("group", $"{_name}-group"));
        await Expect(ui.Page.Locator(".credential", new() { HasText = $"{_name}-issuer" })).ToHaveTextAsync($"{_name}-issuer (HS256)");
        // The cleared form offers the schema's default again (a form reset used to leave the choice unset).
        await Expect(ui.Page.GetByRole(AriaRole.Form, new() { Name = "Add to JWT credentials" }).Locator("[name='algorithm']")).ToHaveValueAsync("HS256");
        await ui.ScreenshotAsync("consumer");
        foreach (var (path, field, value) in new[] { ("hmac-auth", "username", $"{_name}-hmac"), ("jwt", "key", $"{_name}-issuer"), ("acls", "group", $"{_name}-group") })
        {
            var (_, list) = await admin.GetJsonAsync($"/consumers/{user}/{path}");
            Assert.Equal(value, Assert.Single(list!["data"]!.AsArray())![field]!.GetValue<string>());
        }

        using var first = Client(cluster.Edges[1], $"{_name}-basic", "first-secret");
        using (var ok = await first.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // Only the password changes: the username is not sent again, and the old password stops working.
        await ui.ClickAsync($"Edit basic-auth user {_name}-basic");
        var edit = ui.Page.GetByRole(AriaRole.Form, new() { Name = $"Edit basic-auth user {_name}-basic" });
        await Expect(edit.Locator("[name='username']")).ToHaveValueAsync($"{_name}-basic");
        await edit.Locator("[name='password']").FillAsync("second-secret");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(ui.Page.Locator("main .notice.success", new() { HasText = $"Saved basic-auth user {_name}-basic." })).ToBeVisibleAsync();
        using var second = Client(cluster.Edges[1], $"{_name}-basic", "second-secret");
        using (var ok = await second.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var old = await first.GetAsync($"/{_name}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        Assert.Empty(ui.Errors);
    }

    /// <summary>Opens a credential section's "Add" form, fills it in, adds, and waits for the new row.</summary>
    private static async Task AddAsync(ManagerSession ui, string section, params (string Field, string Value)[] values)
    {
        await ui.Page.GetByText($"Add to {section.ToLowerInvariant()}").ClickAsync();
        var form = ui.Page.GetByRole(AriaRole.Form, new() { Name = $"Add to {section}" });
        foreach (var (field, value) in values)
        {
            await form.Locator($"[name='{field}']").FillAsync(value);
        }

        await form.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        var list = ui.Page.Locator("section", new() { Has = ui.Page.GetByRole(AriaRole.Heading, new() { Name = section, Exact = true }) });
        await Expect(list.Locator(".credential", new() { HasText = values[0].Value })).ToHaveCountAsync(1);
    }

    private static HttpClient Client(EdgeNode edge, string username, string password)
    {
        var client = new HttpClient { BaseAddress = edge.Proxy.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        return client;
    }
}
