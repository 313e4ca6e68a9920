using System.Text.Json;
using Turnpike.Edge.Ai;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>
/// Kong's <c>ai</c> section of a log record (Kong 3.9's shape): one object per namespace — <c>proxy</c> for the call of
/// ai-proxy or ai-proxy-advanced, the plugin's name for an AI transformer's — with <c>meta</c> (<c>request_model</c>,
/// <c>response_model</c>, <c>provider_name</c>, <c>plugin_id</c>, <c>llm_latency</c>) and <c>usage</c>
/// (<c>prompt_tokens</c>, <c>completion_tokens</c>, <c>total_tokens</c>, <c>cost</c>, <c>time_per_token</c>) when the
/// LLM's <c>logging.log_statistics</c> is on, and <c>payload</c> (<c>request</c>, <c>response</c>, each cut at
/// <see cref="AiPayloadCapture.MaxBytes"/>) when its <c>logging.log_payloads</c> is on. Absent when no call asked for either.
/// </summary>
internal static class AiLogSection
{
    public static void Write(Utf8JsonWriter json, LlmCallRecord? proxyCall, IReadOnlyList<LlmCallRecord>? pluginCalls)
    {
        if (!(proxyCall?.Logging.Any ?? false) && !(pluginCalls?.Any(c => c.Logging.Any) ?? false))
        {
            return;
        }

        json.WriteStartObject("ai");
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (proxyCall is { Logging.Any: true })
        {
            WriteCall(json, proxyCall, written);
        }

        foreach (var call in pluginCalls ?? [])
        {
            if (call.Logging.Any)
            {
                WriteCall(json, call, written);
            }
        }

        json.WriteEndObject();
    }

    private static void WriteCall(Utf8JsonWriter json, LlmCallRecord call, HashSet<string> written)
    {
        if (!written.Add(call.Namespace))
        {
            return; // one entry per namespace, as Kong's keys are: the first call of a plugin stands
        }

        json.WriteStartObject(call.Namespace);
        if (call.Logging.Statistics)
        {
            json.WriteStartObject("meta");
            json.WriteString("request_model", call.Model);
            json.WriteString("response_model", call.ResponseModel ?? call.Model);
            json.WriteString("provider_name", call.Provider);
            json.WriteString("plugin_id", call.PluginId.ToString());
            json.WriteNumber("llm_latency", call.LatencyMs);
            json.WriteEndObject();

            var usage = call.Usage ?? AiUsage.None;
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", usage.PromptTokens);
            json.WriteNumber("completion_tokens", usage.CompletionTokens);
            json.WriteNumber("total_tokens", usage.TotalTokens);
            json.WriteNumber("cost", call.Cost);
            json.WriteNumber("time_per_token", usage.CompletionTokens > 0 ? call.LatencyMs / usage.CompletionTokens : 0);
            json.WriteEndObject();
        }

        if (call.Logging.Payloads && call.Payload is { } payload)
        {
            json.WriteStartObject("payload");
            json.WriteString("request", payload.Request);
            json.WriteString("response", payload.Response);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
