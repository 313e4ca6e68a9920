using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// AI routes for tests: a service and route at <c>/{name}</c> with ai-proxy for one provider, pointed at a
/// <see cref="FakeLlmProvider"/> with the provider's usual way of passing a credential.
/// </summary>
internal static class AiRoutes
{
    public const string ProviderKey = "provider-secret";

    public static readonly string[] Providers = ["openai", "azure", "anthropic", "gemini", "mistral", "ollama"];

    public static string ModelOf(string provider) => provider switch
    {
        "anthropic" => "claude-sonnet-4",
        "gemini" => "gemini-2.0-flash",
        "mistral" => "mistral-large-latest",
        "ollama" => "llama3.1",
        _ => "gpt-4o",
    };

    /// <summary>ai-proxy's config for <paramref name="provider"/> at the fake; <paramref name="options"/> adds model options.</summary>
    public static JsonObject Config(FakeLlmProvider fake, string provider, string routeType = "llm/v1/chat", JsonObject? options = null, string? model = null)
    {
        var completions = routeType == "llm/v1/completions";
        var modelName = model ?? ModelOf(provider);
        var url = routeType == "llm/v1/embeddings" ? provider switch
        {
            "azure" => $"{fake.Url}/openai/deployments/{modelName}/embeddings?api-version=2024-10-21",
            "gemini" => $"{fake.Url}/v1beta/models/{modelName}:batchEmbedContents",
            "ollama" => $"{fake.Url}/api/embed",
            _ => $"{fake.Url}/v1/embeddings",
        }
        : provider switch
        {
            "azure" => $"{fake.Url}/openai/deployments/{modelName}/{(completions ? "completions" : "chat/completions")}?api-version=2024-10-21",
            "anthropic" => $"{fake.Url}/v1/messages",
            "gemini" => $"{fake.Url}/v1beta/models/{modelName}:generateContent",
            "ollama" => $"{fake.Url}/api/chat",
            _ => $"{fake.Url}/v1/{(completions ? "completions" : "chat/completions")}",
        };
        var auth = provider switch
        {
            "azure" => new JsonObject { ["header_name"] = "api-key", ["header_value"] = ProviderKey },
            "anthropic" => new JsonObject { ["header_name"] = "x-api-key", ["header_value"] = ProviderKey },
            "gemini" => new JsonObject { ["param_name"] = "key", ["param_value"] = ProviderKey, ["param_location"] = "query" },
            "ollama" => new JsonObject(),
            _ => new JsonObject { ["header_name"] = "Authorization", ["header_value"] = "Bearer " + ProviderKey },
        };
        var modelOptions = options ?? [];
        modelOptions["upstream_url"] = url;
        return new JsonObject
        {
            ["route_type"] = routeType,
            ["auth"] = auth,
            ["model"] = new JsonObject { ["provider"] = provider, ["name"] = modelName, ["options"] = modelOptions },
        };
    }

    /// <summary>Creates service, route and the plugins (ai-proxy first among them), then waits until the edge routes it.</summary>
    public static async Task CreateAsync(HttpClient admin, HttpClient proxy, string name, params (string Plugin, JsonObject Config)[] plugins)
    {
        await admin.CreateAsync("/services", new { name, url = "http://127.0.0.1:9" }); // ai-proxy replaces the service's address
        await admin.CreateAsync($"/services/{name}/routes", new { name, paths = new[] { "/" + name } });
        foreach (var (plugin, config) in plugins)
        {
            await admin.CreateAsync($"/services/{name}/plugins", new JsonObject { ["name"] = plugin, ["config"] = config });
        }

        // Ready once the route answers: a GET without a body is refused by the AI plugins (or, with preserve, goes
        // through to the provider, whose answer carries the gateway's Via); only the gateway's own 404 has neither.
        using var ready = await proxy.EventuallyAsync("/" + name, r => r.StatusCode != System.Net.HttpStatusCode.NotFound || r.Headers.Via.Count > 0);
    }

    public static async Task<(int Status, JsonObject? Body, HttpResponseMessage Response)> PostChatAsync(HttpClient proxy, string path, object body)
    {
        var response = await proxy.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 && text[0] == '{' ? JsonNode.Parse(text) as JsonObject : null, response);
    }
}
