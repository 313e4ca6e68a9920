using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// Hostile admin bodies against a real edge: each is refused with a Kong-shaped error, the edge keeps serving, and
/// what was stored before is still there. Nothing here replaces the table: every /config posted is refused.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AdminBodyTests(DevGatewayFixture fixture)
{
    private const long HundredMegabytes = 100L * 1024 * 1024;
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "h-" + Guid.NewGuid().ToString("N")[..8];

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>A service stored before the hostile request, to show afterwards that nothing was lost.</summary>
    private async Task StoreServiceAsync() => await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });

    private async Task AssertStillServingAsync()
    {
        Assert.Equal(200, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Edge.Status.GetAsync("/status")).StatusCode);
    }

    private async Task<(int Status, JsonNode? Body)> PostAsync(string path, string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await _admin.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Json_nested_200_KB_deep_to_config_is_refused_with_400_and_the_table_kept()
    {
        await StoreServiceAsync();
        var (status, body) = await PostAsync("/config", Nested(100_000), "application/json");
        Assert.Equal(400, status);
        Assert.Equal((14, "invalid declarative configuration"), (body!["code"]!.GetValue<int>(), body["name"]!.GetValue<string>()));
        Assert.Contains("nested too deeply", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Yaml_nested_200_KB_deep_to_config_is_refused_with_400_and_the_table_kept()
    {
        await StoreServiceAsync();
        var yaml = "_format_version: \"3.0\"\nservices: " + string.Concat(Enumerable.Repeat("{a: ", 50_000)) + "1" + new string('}', 50_000) + "\n";
        var (status, body) = await PostAsync("/config", yaml, "application/yaml");
        Assert.Equal(400, status);
        Assert.Contains("nested too deeply", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Json_nested_200_KB_deep_to_an_entity_endpoint_is_refused_with_400()
    {
        var (status, body) = await PostAsync("/services", "{\"name\": " + Nested(100_000) + "}", "application/json");
        Assert.Equal(400, status);
        Assert.Equal("Cannot parse JSON body: nested too deeply (more than 64 levels)", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Yaml_alias_bomb_is_refused_with_400_quickly_and_nothing_stored()
    {
        await StoreServiceAsync();
        var yaml = new StringBuilder("_format_version: \"3.0\"\n_comment:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            yaml.Append($"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        var clock = Stopwatch.StartNew();
        var (status, body) = await PostAsync("/config", yaml.ToString(), "application/yaml");
        Assert.Equal(400, status);
        Assert.Contains("aliases expand to too many nodes", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Duplicate_json_keys_are_refused_with_400_naming_the_key()
    {
        var (status, body) = await PostAsync("/consumers", $"{{\"username\": \"{_name}\", \"username\": \"{_name}-2\"}}", "application/json");
        Assert.Equal(400, status);
        Assert.Equal("Cannot parse JSON body: duplicate key 'username'", body!["message"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{_name}")).Status);

        (status, body) = await PostAsync("/config", "{\"_format_version\": \"3.0\", \"services\": [], \"services\": []}", "application/json");
        Assert.Equal(400, status);
        Assert.Contains("duplicate key 'services'", body!["fields"]!["@entity"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunked_100_MB_body_is_refused_with_413_and_the_edge_still_answers()
    {
        await StoreServiceAsync();
        var (status, body) = await PostChunkedAsync("/config", HundredMegabytes);
        Assert.Equal(413, status);
        Assert.Equal("Request body too large", JsonNode.Parse(body)!["message"]!.GetValue<string>());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Declared_content_length_over_the_limit_is_refused_with_413_before_the_body_is_read()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/consumers") { Content = new GeneratedContent(HundredMegabytes, declareLength: true) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true; // the answer comes before the body is sent
        using var response = await _admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Request body too large", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Consumer_username_with_crlf_is_refused_with_400_and_nothing_stored()
    {
        var (status, body) = await _admin.PostJsonAsync("/consumers", new { username = _name + "\r\nX-Consumer-ID: admin" });
        Assert.Equal(400, status);
        Assert.Equal((2, "must not contain control characters"), (body!["code"]!.GetValue<int>(), body["fields"]!["username"]!.GetValue<string>()));
        var (_, list) = await _admin.GetJsonAsync("/consumers?size=1000");
        Assert.DoesNotContain(list!["data"]!.AsArray(), c => c!["username"]?.GetValue<string>()?.StartsWith(_name, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Route_path_with_nul_is_refused_with_400()
    {
        await StoreServiceAsync();
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}\0/admin" } });
        Assert.Equal(400, status);
        Assert.Equal("must not contain control characters", body!["fields"]!["paths"]![0]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/routes/{_name}")).Status);
    }

    [Fact]
    public async Task Request_transformer_header_value_with_crlf_is_refused_with_400()
    {
        await StoreServiceAsync();
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new
        {
            name = "request-transformer",
            config = new { add = new { headers = new[] { "x-env:prod\r\nX-Admin: true" } } },
        });
        Assert.Equal(400, status);
        Assert.Equal("must not contain control characters", body!["fields"]!["config"]!["add"]!["headers"]![0]!.GetValue<string>());
        Assert.Empty((await _admin.GetJsonAsync($"/services/{_name}/plugins")).Body!["data"]!.AsArray());
    }

    [Theory]
    [InlineData("\u0085")] // NEL: a line break to many log readers
    [InlineData("\u009B")] // CSI: a terminal escape
    [InlineData("\u2028")] // line separator
    [InlineData("\u2029")] // paragraph separator
    public async Task C1_controls_and_unicode_line_separators_in_admin_text_are_refused_with_400(string control)
    {
        var (status, body) = await _admin.PostJsonAsync("/consumers", new { username = _name + control + "forged", custom_id = _name });
        Assert.Equal(400, status);
        Assert.Equal("must not contain control characters", body!["fields"]!["username"]!.GetValue<string>());
        await StoreServiceAsync();
        (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "request-termination", config = new { message = "closed" + control } });
        Assert.Equal(400, status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{_name}")).Status);
        Assert.Empty((await _admin.GetJsonAsync($"/services/{_name}/plugins")).Body!["data"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"username\":\"\xFF\"}")]           // a byte that is not UTF-8
    [InlineData("{\"username\":\"\\udc00\"}")]       // an escaped lone low surrogate
    [InlineData("{\"username\":\"a\\ud800b\"}")]     // an escaped lone high surrogate
    [InlineData("{\"\xC3\":\"x\"}")]                  // a truncated UTF-8 sequence in a key
    public async Task Json_strings_that_are_not_text_are_refused_with_400_not_500(string latin1Body)
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1Body));
        content.Headers.ContentType = new("application/json");
        using var response = await _admin.PostAsync("/consumers", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Cannot parse JSON body", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var output = fixture.Edge.Process.Output;
        Assert.DoesNotContain("transcode", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_body_without_its_closing_boundary_is_refused_with_400()
    {
        using var content = new StringContent($"--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{_name}\r\n");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        using var response = await _admin.PostAsync("/services", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Cannot parse form body", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
    }

    [Theory]
    [InlineData("~/{0}/(?x) a # c")]     // under (?x) the comment would swallow the anchoring group's ')'
    [InlineData("~/{0}/(?x)a#")]
    [InlineData("~/{0}/a)|(b")]          // closes the anchoring group early
    public async Task Regex_paths_that_only_break_once_anchored_are_refused_with_400_and_the_table_keeps_applying(string pattern)
    {
        await StoreServiceAsync();
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, _name) } });
        Assert.Equal(400, status);
        Assert.StartsWith("invalid regex", body!["fields"]!["paths"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "cors", config = new { origins = new[] { "(?x)http://a # c" } } });
        Assert.Equal(400, status);

        // The table still applies writes: a plain route made next is served.
        await _admin.CreateAsync($"/services/{_name}/routes", new { name = _name + "-plain", paths = new[] { $"/{_name}-plain" } });
        await Poll.UntilAsync(async () => (await fixture.Edge.Proxy.GetAsync($"/{_name}-plain/x")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "the plain route");
    }

    [Theory]
    [InlineData("/services/{0}%0D%0AX-Injected:%201", "name")]
    [InlineData("/consumers/{0}%C2%85forged", "username")]
    [InlineData("/upstreams/{0}%E2%80%A8x", "name")]
    public async Task A_name_taken_from_a_PUT_path_is_checked_as_a_body_field_and_nothing_is_stored(string path, string field)
    {
        var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, path, _name);
        var body = field == "name" && target.StartsWith("/services", StringComparison.Ordinal) ? new { url = fixture.Upstream.Url } : (object)new { };
        var (status, answer) = await _admin.SendJsonAsync(HttpMethod.Put, target, body);
        Assert.Equal(400, status);
        Assert.Equal("must not contain control characters", answer!["fields"]![field]!.GetValue<string>());
        var kind = target.Split('/')[1];
        var (_, list) = await _admin.GetJsonAsync($"/{kind}?size=1000");
        Assert.DoesNotContain(list!["data"]!.AsArray(), e => (e![field]?.GetValue<string>() ?? "").StartsWith(_name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Control_character_in_a_form_encoded_field_is_refused_with_400()
    {
        var (status, body) = await _admin.PostFormAsync("/consumers", ("username", _name + "\nforged log line"), ("custom_id", _name));
        Assert.Equal(400, status);
        Assert.Equal("must not contain control characters", body!["fields"]!["username"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{_name}")).Status);
    }

    /// <summary>
    /// Sends a chunked body of up to <paramref name="length"/> bytes while reading the answer, as curl does, and stops
    /// sending once it comes. HttpClient reports the refused write instead of the early answer, so this speaks HTTP/1.1 itself.
    /// </summary>
    private async Task<(int Status, string Body)> PostChunkedAsync(string path, long length)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.AdminPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\nTransfer-Encoding: chunked\r\n\r\n"));
        using var answered = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n{string.Concat(Enumerable.Repeat("# filler\n", 64 * 1024 / 9 + 1))[..(64 * 1024)]}\r\n");
            for (long sent = 0; sent < length && !answered.IsCancellationRequested; sent += 64 * 1024)
            {
                await stream.WriteAsync(chunk, answered.Token);
            }
        });

        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // The edge closes the connection after answering; what it sent before is in the buffer.
        }

        await answered.CancelAsync();
        await Task.WhenAny(sending); // its write may fail once the connection is closed; that is expected
        var text = Encoding.UTF8.GetString(received.ToArray());
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        if (text.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = body[(body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
            body = body[..body.IndexOf("\r\n", StringComparison.Ordinal)];
        }

        return (status, body);
    }

    /// <summary>A body of <c>length</c> bytes of YAML-ish filler made as it is sent, never held in memory; chunked unless declared.</summary>
    private sealed class GeneratedContent(long length, bool declareLength) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("# filler\n", 64 * 1024 / 9 + 1)))[..(64 * 1024)];
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length2)
        {
            length2 = length;
            return declareLength;
        }
    }
}
