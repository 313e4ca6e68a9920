using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>A dev edge whose admin API has a bootstrap token (given as <c>TURNPIKE_ADMIN_TOKEN</c>, the plain variable operators may use).</summary>
public sealed class AdminAuthFixture : IAsyncLifetime
{
    public const string BootstrapToken = "bootstrap-0123456789-abcdefghij";

    internal EdgeNode Edge { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string> { ["TURNPIKE_ADMIN_TOKEN"] = BootstrapToken });

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }
}

public sealed class AdminAuthTests(AdminAuthFixture fixture) : IClassFixture<AdminAuthFixture>
{
    private const string InvalidCredentials = "Invalid credentials. Token or User credentials required";
    private readonly EdgeNode _edge = fixture.Edge;
    private readonly string _name = "a-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task No_token_is_refused_with_401_in_Kongs_words()
    {
        var (status, body) = await _edge.Admin.GetJsonAsync("/services");
        Assert.Equal(401, status);
        Assert.Equal(InvalidCredentials, body!["message"]!.GetValue<string>());
        Assert.Equal(401, (await _edge.Admin.GetJsonAsync("/no-such-path")).Status); // nothing told before authentication
    }

    [Fact]
    public async Task Wrong_token_is_refused_with_401_and_counted_in_metrics()
    {
        var before = await _edge.MetricAsync("turnpike_admin_auth_failures_total");
        var (status, body) = await SendAsync(HttpMethod.Get, "/services", AdminAuthFixture.BootstrapToken + "-wrong");
        Assert.Equal(401, status);
        Assert.Equal(InvalidCredentials, body!["message"]!.GetValue<string>());
        Assert.True(await _edge.MetricAsync("turnpike_admin_auth_failures_total") > before);
    }

    [Fact]
    public async Task Bootstrap_token_is_accepted_as_bearer_and_differing_headers_are_refused()
    {
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/services");
        bearer.Headers.Authorization = new("Bearer", AdminAuthFixture.BootstrapToken);
        using (var response = await _edge.Admin.SendAsync(bearer))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        using var both = new HttpRequestMessage(HttpMethod.Get, "/services");
        both.Headers.Authorization = new("Bearer", AdminAuthFixture.BootstrapToken);
        both.Headers.Add("Kong-Admin-Token", "another-token-0123456789");
        using var refused = await _edge.Admin.SendAsync(both);
        Assert.Equal(401, (int)refused.StatusCode);
    }

    [Fact]
    public async Task Read_only_token_can_read_services_but_cannot_write_with_403()
    {
        var token = await CreateAdminAsync(_name, "read-only");
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "/services", token)).Status);

        var before = await _edge.MetricAsync("turnpike_admin_auth_forbidden_total");
        var (status, body) = await SendAsync(HttpMethod.Post, "/services", token, new { name = _name, host = "h.internal" });
        Assert.Equal(403, status);
        Assert.StartsWith("Forbidden", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("create", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await _edge.MetricAsync("turnpike_admin_auth_forbidden_total") > before);
        Assert.Equal(404, (await SendAsync(HttpMethod.Get, $"/services/{_name}", AdminAuthFixture.BootstrapToken)).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Get, "/admins", token)).Status);
    }

    [Fact]
    public async Task Admin_token_can_write_services_but_not_admins_with_403()
    {
        var token = await CreateAdminAsync(_name, "admin");
        Assert.Equal(201, (await SendAsync(HttpMethod.Post, "/services", token, new { name = _name, host = "h.internal" })).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Post, "/admins", token, new { username = _name + "-x", role = "super-admin" })).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Get, "/admins", token)).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Get, "/ADMINS/" + _name, token)).Status);
        Assert.Equal(404, (await SendAsync(HttpMethod.Get, $"/admins/{_name}-x", AdminAuthFixture.BootstrapToken)).Status);
    }

    [Fact]
    public async Task Rotated_token_replaces_the_old_one_without_restart()
    {
        var old = await CreateAdminAsync(_name, "read-only");
        var (status, body) = await SendAsync(HttpMethod.Post, $"/admins/{_name}/token", AdminAuthFixture.BootstrapToken);
        Assert.Equal(200, status);
        var rotated = body!["token"]!.GetValue<string>();
        Assert.NotEqual(old, rotated);

        await Poll.UntilAsync(async () => (await SendAsync(HttpMethod.Get, "/services", old)).Status == 401, TimeSpan.FromSeconds(20), "old token refused");
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "/services", rotated)).Status);
    }

    [Fact]
    public async Task Admin_reads_never_show_the_token_or_its_hash()
    {
        var token = await CreateAdminAsync(_name, "read-only");
        var (_, patched) = await SendAsync(HttpMethod.Patch, $"/admins/{_name}", AdminAuthFixture.BootstrapToken, new { tags = new[] { "ops" } });
        foreach (var path in new[] { "/admins", $"/admins/{_name}" })
        {
            var (status, body) = await SendAsync(HttpMethod.Get, path, AdminAuthFixture.BootstrapToken);
            Assert.Equal(200, status);
            var text = body!.ToJsonString();
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("token", text, StringComparison.Ordinal);
            Assert.DoesNotContain("salt", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("token", patched!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "/services", token)).Status); // the edit kept the token
    }

    [Fact]
    public async Task Token_with_CR_or_LF_is_refused()
    {
        // HttpClient will not send such a header, so it goes over a raw socket: the bootstrap token with more after a CR.
        var status = await RawStatusAsync($"GET /services HTTP/1.1\r\nHost: 127.0.0.1\r\nKong-Admin-Token: {AdminAuthFixture.BootstrapToken}\rjunk\r\nConnection: close\r\n\r\n");
        Assert.Contains(status, new[] { 400, 401 });
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, "/services", new string('a', 600))).Status);
    }

    [Fact]
    public async Task Duplicate_username_is_refused_with_409()
    {
        await CreateAdminAsync(_name, "read-only");
        var (status, body) = await SendAsync(HttpMethod.Post, "/admins", AdminAuthFixture.BootstrapToken, new { username = _name, role = "admin" });
        Assert.Equal(409, status);
        Assert.Equal("unique constraint violation", body!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_admin_input_is_refused_with_400_and_nothing_stored()
    {
        var bad = new object[]
        {
            new { username = _name, role = "root" },
            new { username = _name + "\n", role = "admin" },
            new { role = "admin" },
            new { username = _name, role = "admin", token = "short" },
            new { username = _name, role = "admin", token_hash = "00" },
        };
        foreach (var body in bad)
        {
            var (status, error) = await SendAsync(HttpMethod.Post, "/admins", AdminAuthFixture.BootstrapToken, body);
            Assert.Equal(400, status);
            Assert.Equal("schema violation", error!["name"]!.GetValue<string>());
            Assert.NotNull(error["fields"]);
        }

        Assert.Equal(404, (await SendAsync(HttpMethod.Get, $"/admins/{_name}", AdminAuthFixture.BootstrapToken)).Status);
    }

    [Fact]
    public async Task Config_replace_keeps_admins_and_export_leaves_them_out()
    {
        var token = await CreateAdminAsync(_name, "admin");
        var config = $"{{\"_format_version\": \"3.0\", \"services\": [{{\"name\": \"{_name}\", \"host\": \"h.internal\"}}]}}";
        Assert.Equal(201, (await SendAsync(HttpMethod.Post, "/config", token, config)).Status);

        Assert.Equal(200, (await SendAsync(HttpMethod.Get, $"/admins/{_name}", AdminAuthFixture.BootstrapToken)).Status);
        await Poll.UntilAsync(async () => (await SendAsync(HttpMethod.Get, $"/services/{_name}", token)).Status == 200, TimeSpan.FromSeconds(20), "service readable with the admin's token");
        var (_, exported) = await SendAsync(HttpMethod.Get, "/config", token);
        var yaml = exported!["config"]!.GetValue<string>();
        Assert.Contains(_name, yaml, StringComparison.Ordinal); // the service
        Assert.DoesNotContain("admin", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("role", yaml, StringComparison.Ordinal);
    }

    private async Task<string> CreateAdminAsync(string username, string role)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/admins", AdminAuthFixture.BootstrapToken, new { username, role });
        Assert.Equal(201, status);
        Assert.Equal(role, body!["role"]!.GetValue<string>());
        var token = body["token"]!.GetValue<string>();
        Assert.True(token.Length >= 32);

        // The edge that took the write applies it asynchronously, like every other edge.
        await Poll.UntilAsync(async () => (await SendAsync(HttpMethod.Get, "/", token)).Status == 200, TimeSpan.FromSeconds(20), $"{username}'s token accepted");
        return token;
    }

    private Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        AdminAuthRequests.SendAsync(_edge.Admin, method, path, token, body);

    private async Task<int> RawStatusAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _edge.AdminPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>An edge refuses to start with its admin API on a non-loopback address and no bootstrap token.</summary>
public sealed class AdminAuthStartupTests
{
    [Fact]
    public async Task Edge_with_admin_api_on_all_interfaces_and_no_token_exits_with_a_message_naming_the_key()
    {
        int silo = FreePorts.Next(), gateway = FreePorts.Next();
        await using var process = ServerProcess.Start(RepoPaths.EdgeDll, new Dictionary<string, string>
        {
            ["Turnpike__Admin__Urls"] = $"http://0.0.0.0:{FreePorts.Next()}",
            ["Turnpike__Proxy__Urls"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Turnpike__Status__Urls"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Turnpike__Cluster__SiloPort"] = silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Turnpike__Cluster__GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Turnpike__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{silo}",
            ["Turnpike__Metering__JournalDirectory"] = Directory.CreateTempSubdirectory("turnpike-meter-journal-").FullName,
        }, "--dev");

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, exitCode); // Program.cs: a configuration problem, reported without a stack trace
        Assert.Contains("Turnpike:Admin:Token", process.Output, StringComparison.Ordinal);
        Assert.Contains("not a loopback address", process.Output, StringComparison.Ordinal);
    }
}

/// <summary>Admins replicate: one created through edge A works on edge B, which has no bootstrap token of its own.</summary>
public sealed class AdminAuthClusterTests
{
    [Fact]
    public async Task Admin_created_through_one_edge_authenticates_on_another_without_a_bootstrap_token()
    {
        const string bootstrap = "cluster-bootstrap-0123456789";
        await using var silo = await SiloNode.StartAsync();
        await using var edgeA = await EdgeNode.StartClientAsync([silo], extraEnvironment: new() { ["Turnpike__Admin__Token"] = bootstrap });
        await using var edgeB = await EdgeNode.StartClientAsync([silo]);

        Assert.Equal(401, (await AdminAuthRequests.SendAsync(edgeA.Admin, HttpMethod.Get, "/services", null)).Status);
        Assert.Equal(200, (await AdminAuthRequests.SendAsync(edgeB.Admin, HttpMethod.Get, "/services", null)).Status); // open: nobody to authenticate yet

        var (created, body) = await AdminAuthRequests.SendAsync(edgeA.Admin, HttpMethod.Post, "/admins", bootstrap, new { username = "ops", role = "admin" });
        Assert.Equal(201, created);
        var token = body!["token"]!.GetValue<string>();

        // Edge B is open until the admin reaches it; from then on it wants a token.
        await Poll.UntilAsync(async () => (await AdminAuthRequests.SendAsync(edgeB.Admin, HttpMethod.Get, "/services", null)).Status == 401, TimeSpan.FromSeconds(20), "edge B enforcing authentication");
        Assert.Equal(200, (await AdminAuthRequests.SendAsync(edgeB.Admin, HttpMethod.Get, "/services", token)).Status);
        Assert.Equal(401, (await AdminAuthRequests.SendAsync(edgeB.Admin, HttpMethod.Get, "/services", bootstrap)).Status);
        Assert.Equal(201, (await AdminAuthRequests.SendAsync(edgeB.Admin, HttpMethod.Post, "/services", token, new { name = "via-b", host = "h.internal" })).Status);
    }
}

/// <summary>Admin API calls with a <c>Kong-Admin-Token</c>.</summary>
internal static class AdminAuthRequests
{
    public static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Kong-Admin-Token", token);
        }

        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
