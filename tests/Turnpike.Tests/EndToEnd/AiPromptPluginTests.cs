using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>ai-prompt-guard, ai-prompt-decorator and ai-prompt-template in front of ai-proxy: what reaches the provider, and Kong's 400s.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiPromptPluginTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aiprompt-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private string Path => $"/{_name}/v1/chat/completions";

    private async Task RouteAsync(params (string Plugin, JsonObject Config)[] plugins) =>
        await AiRoutes.CreateAsync(_admin, _proxy, _name, [.. plugins, ("ai-proxy", AiRoutes.Config(_fake, "openai"))]);

    private async Task<(int Status, string? Error)> ChatAsync(object body)
    {
        var (status, json, response) = await AiRoutes.PostChatAsync(_proxy, Path, body);
        response.Dispose();
        return (status, json?["error"]?["message"]?.GetValue<string>());
    }

    private static object User(string text, string? system = null) => new
    {
        messages = system is null
            ? new object[] { new { role = "user", content = text } }
            : [new { role = "system", content = system }, new { role = "user", content = text }],
    };

    [Fact]
    public async Task Prompt_guard_refuses_denied_and_unallowed_user_prompts_with_a_bare_400()
    {
        await RouteAsync(("ai-prompt-guard", new JsonObject
        {
            ["allow_patterns"] = new JsonArray(".*(invoice|refund).*"),
            ["deny_patterns"] = new JsonArray(@"\b\d{16}\b"),
        }));

        Assert.Equal((200, null), await ChatAsync(User("Where is my refund?")));
        Assert.Equal((400, "bad request"), await ChatAsync(User("Refund card 4111111111111111")));
        Assert.Equal((400, "bad request"), await ChatAsync(User("Tell me a joke")));

        // Only user prompts are checked unless match_all_roles: a system message may say anything.
        Assert.Equal((200, null), await ChatAsync(User("Where is my invoice?", system: "Never reveal 4111111111111111")));
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Prompt_guard_checks_the_whole_history_unless_told_to_look_at_the_latest_prompt_only()
    {
        var history = new
        {
            messages = new object[]
            {
                new { role = "user", content = "my password is hunter2" },
                new { role = "assistant", content = "noted" },
                new { role = "user", content = "what is the weather" },
            },
        };
        await RouteAsync(("ai-prompt-guard", new JsonObject { ["deny_patterns"] = new JsonArray("password") }));
        Assert.Equal((400, "bad request"), await ChatAsync(history));

        var (_, plugins) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        var guard = plugins!["data"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "ai-prompt-guard")!["id"]!.GetValue<string>();
        Assert.Equal(200, (await _admin.SendJsonAsync(HttpMethod.Patch, $"/plugins/{guard}", new { config = new { allow_all_conversation_history = true } })).Status);
        await Poll.UntilAsync(async () => (await ChatAsync(history)).Status == 200, TimeSpan.FromSeconds(20), "the guard's new config");
    }

    [Fact]
    public async Task Prompt_decorator_puts_its_messages_around_the_conversation()
    {
        await RouteAsync(("ai-prompt-decorator", new JsonObject
        {
            ["prompts"] = new JsonObject
            {
                ["prepend"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "You are a pirate." }),
                ["append"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Answer in one line." }),
            },
        }));

        Assert.Equal(200, (await ChatAsync(User("Hello", system: "Be kind."))).Status);
        var messages = _fake.Requests.Single().Body!["messages"]!.AsArray().Select(m => $"{m!["role"]}:{m["content"]}");
        Assert.Equal(["system:You are a pirate.", "system:Be kind.", "user:Hello", "user:Answer in one line."], messages);
        Assert.Equal((400, "this LLM route only supports llm/chat type requests"), await ChatAsync(new { prompt = "Hello" }));
    }

    [Fact]
    public async Task Prompt_template_renders_named_templates_with_escaped_properties_and_kongs_errors()
    {
        await RouteAsync(("ai-prompt-template", new JsonObject
        {
            ["templates"] = new JsonArray(new JsonObject
            {
                ["name"] = "translate",
                ["template"] = """{"messages":[{"role":"system","content":"Translate to {{language}}."},{"role":"user","content":"{{text}}"}]}""",
            }),
            ["allow_untemplated_requests"] = false,
        }));

        var rendered = await ChatAsync(new { messages = "{template://translate}", properties = new { language = "Norwegian", text = "He said \"hi\"\nthen left" } });
        Assert.Equal((200, null), rendered);
        var sent = _fake.Requests.Single().Body!["messages"]!.AsArray();
        Assert.Equal("Translate to Norwegian.", sent[0]!["content"]!.GetValue<string>());
        Assert.Equal("He said \"hi\"\nthen left", sent[1]!["content"]!.GetValue<string>()); // escaped into the JSON, not breaking it

        Assert.Equal((400, "missing template parameters: [text]"), await ChatAsync(new { messages = "{template://translate}", properties = new { language = "Norwegian" } }));
        Assert.Equal((400, "could not find template name [summarise]"), await ChatAsync(new { messages = "{template://summarise}" }));
        Assert.Equal((400, "this LLM route only supports templated requests"), await ChatAsync(User("Hello")));
        Assert.Equal((400, "property values must be a string, got number"), await ChatAsync(new { messages = "{template://translate}", properties = new { language = 7, text = "x" } }));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Template_then_decorator_then_guard_run_in_kongs_order_so_the_guard_sees_the_rendered_prompt()
    {
        await RouteAsync(
            ("ai-prompt-template", new JsonObject { ["templates"] = new JsonArray(new JsonObject { ["name"] = "t", ["template"] = """{"messages":[{"role":"user","content":"{{q}}"}]}""" }) }),
            ("ai-prompt-guard", new JsonObject { ["deny_patterns"] = new JsonArray("secret") }));

        Assert.Equal((400, "bad request"), await ChatAsync(new { messages = "{template://t}", properties = new { q = "tell me the secret" } }));
        Assert.Equal((200, null), await ChatAsync(new { messages = "{template://t}", properties = new { q = "tell me a joke" } }));
    }

    [Fact]
    public async Task Prompt_plugin_config_errors_get_400()
    {
        await _admin.CreateAsync("/services", new { name = _name, url = "http://127.0.0.1:9" });
        async Task<string> ErrorsOfAsync(string plugin, object config)
        {
            var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = plugin, config });
            Assert.Equal(400, status);
            return body!["fields"]!.ToJsonString();
        }

        Assert.Contains("invalid regex", await ErrorsOfAsync("ai-prompt-guard", new { deny_patterns = new[] { "(" } }), StringComparison.Ordinal);
        Assert.Contains("at least one of these fields must be non-empty", await ErrorsOfAsync("ai-prompt-guard", new { }), StringComparison.Ordinal);
        Assert.Contains("expected one of: system, assistant, user", await ErrorsOfAsync("ai-prompt-decorator", new { prompts = new { prepend = new[] { new { role = "robot", content = "x" } } } }), StringComparison.Ordinal);
        Assert.Contains("required field missing", await ErrorsOfAsync("ai-prompt-template", new { }), StringComparison.Ordinal);
    }
}
