using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary><c>route_type: llm/v1/embeddings</c>: OpenAI-format embedding requests to every provider that offers them, answered in OpenAI's shape.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiEmbeddingsTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aie-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public static TheoryData<string> Providers => ["openai", "azure", "gemini", "mistral", "ollama"];

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_text_gets_its_providers_vector_in_openais_list_with_the_tokens_used(string provider)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider, "llm/v1/embeddings")));
        _fake.PromptTokens = 11;
        string[] texts = ["a cat on a mat", "stock prices fell"];

        var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/embeddings", new { input = texts, model = AiRoutes.ModelOf(provider) });
        response.Dispose();

        Assert.True(status == 200, body?.ToJsonString());
        Assert.Equal("list", body!["object"]!.GetValue<string>());
        var data = body["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(i, data[i]!["index"]!.GetValue<int>());
            Assert.Equal(FakeEmbeddings.Vector(texts[i]), data[i]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray());
        }

        // Gemini reports no count: four characters a token (14 + 17 characters: 4 + 5); the others report theirs.
        Assert.Equal(provider == "gemini" ? 9 : 11, body["usage"]!["prompt_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task Base64_encoding_asked_of_a_provider_without_it_comes_back_as_little_endian_float32()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "ollama", "llm/v1/embeddings")));

        var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/embeddings", new { input = "a cat on a mat", encoding_format = "base64" });
        response.Dispose();

        Assert.Equal(200, status);
        var bytes = Convert.FromBase64String(body!["data"]![0]!["embedding"]!.GetValue<string>());
        Assert.Equal(FakeEmbeddings.Vector("a cat on a mat"), MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        Assert.Equal("/api/embed", _fake.Requests[0].Path);
    }

    [Fact]
    public async Task Requests_without_input_get_400_and_anthropic_is_refused_for_embeddings()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "gemini", "llm/v1/embeddings")));
        var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/embeddings", new { model = "x", messages = new[] { new { role = "user", content = "hi" } } });
        response.Dispose();
        Assert.Equal(400, status);
        Assert.Equal("request format not recognised: 'input' is required for llm/v1/embeddings", body!["error"]!["message"]!.GetValue<string>());

        (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/embeddings", new { input = new[] { 1, 2, 3 } });
        response.Dispose();
        Assert.Equal(400, status);
        Assert.Empty(_fake.Requests);

        var (created, refusal) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new JsonObject { ["name"] = "ai-proxy", ["config"] = AiRoutes.Config(_fake, "anthropic", "llm/v1/embeddings") });
        Assert.Equal(400, created);
        Assert.Contains("not supported by the anthropic provider", refusal!.ToJsonString(), StringComparison.Ordinal);
    }
}
