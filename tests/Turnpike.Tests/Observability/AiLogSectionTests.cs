using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Observability.Logging;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>Kong's <c>ai</c> log section: its shape, and what <c>log_statistics</c> and <c>log_payloads</c> each put in it.</summary>
[Fast]
public sealed class AiLogSectionTests
{
    private static readonly Guid PluginId = Guid.Parse("546c3856-24b3-469a-bd6c-f6083babd2cd");

    private static JsonObject Entry(LlmCallRecord? proxy, params LlmCallRecord[] others)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            AiLogSection.Write(json, proxy, others);
            json.WriteEndObject();
        }

        return JsonNode.Parse(Encoding.UTF8.GetString(stream.ToArray()))!.AsObject();
    }

    private static LlmCallRecord Call(bool statistics, bool payloads, string ns = "proxy") =>
        new("anthropic", "claude-sonnet-4", new AiUsage(28, 20), 0.0038, 2670)
        {
            Namespace = ns,
            Logging = new AiLogging(statistics, payloads),
            PluginId = PluginId,
            ResponseModel = "claude-sonnet-4-20250514",
            Payload = payloads ? Captured("""{"messages":[]}""", """{"choices":[]}""") : null,
        };

    private static AiPayloadCapture Captured(string request, string response)
    {
        var capture = new AiPayloadCapture(request);
        capture.AddResponse(Encoding.UTF8.GetBytes(response));
        return capture;
    }

    [Fact]
    public void Statistics_give_kongs_meta_and_usage_under_proxy()
    {
        var ai = Entry(Call(statistics: true, payloads: false))["ai"]!["proxy"]!;

        Assert.Equal(
            """{"meta":{"request_model":"claude-sonnet-4","response_model":"claude-sonnet-4-20250514","provider_name":"anthropic","plugin_id":"546c3856-24b3-469a-bd6c-f6083babd2cd","llm_latency":2670},"usage":{"prompt_tokens":28,"completion_tokens":20,"total_tokens":48,"cost":0.0038,"time_per_token":133}}""",
            ai.ToJsonString());
    }

    [Fact]
    public void Payloads_alone_give_only_the_payload()
    {
        var ai = Entry(Call(statistics: false, payloads: true))["ai"]!["proxy"]!.AsObject();

        Assert.Equal(["payload"], ai.Select(p => p.Key));
        Assert.Equal("""{"messages":[]}""", ai["payload"]!["request"]!.GetValue<string>());
        Assert.Equal("""{"choices":[]}""", ai["payload"]!["response"]!.GetValue<string>());
    }

    [Fact]
    public void Without_either_switch_there_is_no_ai_section()
    {
        Assert.Null(Entry(Call(statistics: false, payloads: false))["ai"]);
        Assert.Null(Entry(null)["ai"]);
    }

    [Fact]
    public void A_transformers_call_sits_beside_the_proxys_under_its_plugin_name()
    {
        var ai = Entry(Call(true, false), Call(true, false, "ai-response-transformer"), Call(false, false, "ai-request-transformer"))["ai"]!.AsObject();

        Assert.Equal(["proxy", "ai-response-transformer"], ai.Select(p => p.Key));
    }

    [Fact]
    public void Unknown_usage_is_logged_as_zero_tokens_and_no_time_per_token()
    {
        var call = new LlmCallRecord("openai", "gpt-4o", null, 0, 30_000) { Logging = new AiLogging(true, false) };

        var usage = Entry(call)["ai"]!["proxy"]!["usage"]!;

        Assert.Equal(0, usage["total_tokens"]!.GetValue<long>());
        Assert.Equal(0, usage["time_per_token"]!.GetValue<long>());
    }

    [Fact]
    public void Payloads_are_cut_at_16_KiB_each()
    {
        var capture = new AiPayloadCapture(new string('q', 100_000));
        capture.AddResponse(Encoding.UTF8.GetBytes(new string('r', 20_000)));
        capture.AddResponse(Encoding.UTF8.GetBytes(new string('s', 20_000)));

        Assert.Equal(AiPayloadCapture.MaxBytes, capture.Request!.Length);
        Assert.Equal(new string('r', AiPayloadCapture.MaxBytes), capture.Response);
        Assert.Equal("é", AiPayloadCapture.Cut("é")); // short text is kept whole
    }
}
