using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.AiRequestTransformer;
using Turnpike.Edge.Plugins.AiResponseTransformer;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>The AI transformers' configuration: Kong's fields, the LLM checked as ai-proxy's, a model name and a chat route required.</summary>
[Fast]
public sealed class AiTransformerSchemaTests : IDisposable
{
    private const string Llm = """{"route_type":"llm/v1/chat","auth":{"header_name":"Authorization","header_value":"Bearer k"},"model":{"provider":"openai","name":"gpt-4o"}}""";

    private readonly UpstreamClients _clients = new();

    public void Dispose() => _clients.Dispose();

    private (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        var plugin = new AiRequestTransformerPlugin(_clients);
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        if (errors.All.Count == 0)
        {
            Assert.NotNull(plugin.CreateHandler(JsonNode.Parse(stored.ToJsonString())!.AsObject(), Guid.NewGuid()));
        }

        return (stored, errors.All);
    }

    [Fact]
    public void A_prompt_and_an_llm_are_enough_and_get_kongs_defaults()
    {
        var (stored, errors) = Read("""{"prompt": "p", "llm": """ + Llm + "}");

        Assert.Empty(errors);
        Assert.Equal(60000, stored["http_timeout"]!.GetValue<int>());
        Assert.True(stored["https_verify"]!.GetValue<bool>());
    }

    [Fact]
    public void Bad_patterns_missing_prompts_and_llms_without_a_model_name_are_refused()
    {
        Assert.Equal("required field missing", Read("""{"llm": """ + Llm + "}").Errors["config.prompt"]);
        Assert.StartsWith("invalid regular expression", Read("""{"prompt": "p", "transformation_extract_pattern": "(", "llm": """ + Llm + "}").Errors["config.transformation_extract_pattern"], StringComparison.Ordinal);
        Assert.Equal("must set 'model.name' for the AI transformers", Read("""{"prompt": "p", "llm": {"route_type":"llm/v1/chat","model":{"provider":"openai"}}}""").Errors["config.llm.@entity"]);
    }

    [Fact]
    public void Ai_response_transformer_takes_the_same_fields_and_kongs_json_instructions_switch_off_by_default()
    {
        var plugin = new AiResponseTransformerPlugin(_clients);
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse("{\"prompt\": \"p\", \"llm\": " + Llm + "}")!.AsObject(), errors, "config."));

        Assert.Empty(errors.All);
        Assert.False(stored["parse_llm_response_json_instructions"]!.GetValue<bool>());
        Assert.Equal(1 << 20, stored["max_request_body_size"]!.GetValue<int>());
        Assert.NotNull(plugin.CreateHandler(stored, Guid.NewGuid()));
    }
}
