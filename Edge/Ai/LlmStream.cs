using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Translates one provider's streamed response, event by event, into OpenAI chat chunks, and keeps the usage
/// the provider reported. Nothing is held back beyond the event at hand.
/// </summary>
internal abstract class LlmStream(ChatChunks chunks)
{
    protected ChatChunks Chunks { get; } = chunks;

    /// <summary>True for Ollama's newline-delimited JSON; the others send server-sent events.</summary>
    public virtual bool LineDelimited => false;

    public AiUsage? Usage { get; protected set; }

    /// <summary>The finish reason sent (OpenAI's terms), once the provider said why it stopped.</summary>
    public string? FinishReason { get; protected set; }

    /// <summary>Reads one event (SSE <c>event:</c> name, if any, and its data; or one JSON line) and adds the chunks it makes.</summary>
    public abstract void Read(string? eventName, string data, List<JsonObject> output);

    /// <summary>The provider's stream ended: adds whatever only the end completes (a finish chunk a provider did not send as such).</summary>
    public virtual void End(List<JsonObject> output)
    {
    }
}
