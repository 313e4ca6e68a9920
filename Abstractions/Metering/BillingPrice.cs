namespace Turnpike.Metering;

/// <summary>What a consumer pays: per 1,000 requests, and per unit of any counter (bytes_out, prompt_tokens, …).</summary>
[GenerateSerializer, Immutable]
public sealed record BillingPrice
{
    [Id(0)] public decimal Per1000Requests { get; init; }
    [Id(1)] public Dictionary<string, decimal> PerCounter { get; init; } = new(StringComparer.Ordinal);
    [Id(2)] public string Currency { get; init; } = "USD";
}
