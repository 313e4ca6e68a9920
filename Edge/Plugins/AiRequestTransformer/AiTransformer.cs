using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>
/// What both AI transformers do with a body: ask the LLM to rewrite it per <c>prompt</c>, then keep the first match of
/// <c>transformation_extract_pattern</c>; a failure comes back as Kong's message for the plugin to answer.
/// </summary>
internal sealed class AiTransformer(AiTransformerOptions options, LlmOneShot llm)
{
    public const string Failed = "failed to introspect request with AI service: ";
    public const string NoMatch = "AI response did not match specified regular expression";

    public AiTransformerOptions Options => options;

    /// <summary>The transformer of a plugin instance; its LLM calls are logged under <paramref name="pluginName"/>.</summary>
    public static AiTransformer Create(AiTransformerOptions options, UpstreamClients clients, string pluginName, Guid instanceId) =>
        new(options, new LlmOneShot(options.Llm with { PluginId = instanceId }, clients, options.HttpTimeoutMs, pluginName));

    /// <summary>The LLM's rewrite of <paramref name="body"/>, or Kong's reason for having none.</summary>
    public async Task<(string? Text, string? Error)> TransformAsync(ProxyContext context, string body)
    {
        var (reply, failure) = await llm.AskAsync(context, options.Prompt, body);
        if (reply is null)
        {
            return (null, Failed + failure);
        }

        return AiTransformerFields.Extract(options.ExtractPattern, reply) is { } text ? (text, null) : (null, NoMatch);
    }

    /// <summary>Kong's 500 for a failed transformation, in the AI plugins' error shape.</summary>
    public static Task FailAsync(HttpContext http, string message) =>
        AiErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, message);
}
