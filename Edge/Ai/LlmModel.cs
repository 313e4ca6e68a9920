namespace Turnpike.Edge.Ai;

/// <summary>ai-proxy's <c>model</c>: which provider, which model, and the options that fill in what a client's request leaves out.</summary>
internal sealed record LlmModel
{
    public required string Provider { get; init; }

    /// <summary>The model every request uses; null lets the client choose.</summary>
    public string? Name { get; init; }

    /// <summary>Whether a client may ask for a model other than <see cref="Name"/>.</summary>
    public bool AllowOverride { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    /// <summary>Price per million prompt tokens, in the currency of the billing prices.</summary>
    public double InputCost { get; init; }

    /// <summary>Price per million completion tokens.</summary>
    public double OutputCost { get; init; }

    public string AnthropicVersion { get; init; } = "2023-06-01";

    public string? AzureInstance { get; init; }

    public string? AzureDeploymentId { get; init; }

    public string AzureApiVersion { get; init; } = "2024-10-21";

    /// <summary>The full URL of the provider's endpoint (a self-hosted model, a private endpoint, a test double).</summary>
    public string? UpstreamUrl { get; init; }
}
