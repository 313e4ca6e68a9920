namespace Turnpike.Edge.Ai.Balancing;

/// <summary>ai-proxy-advanced's <c>balancer</c> record, read once when the route table is compiled.</summary>
internal sealed record LlmBalancerSettings
{
    public LlmBalancerAlgorithm Algorithm { get; init; } = LlmBalancerAlgorithm.RoundRobin;

    /// <summary><c>tpot</c> (time per output token) or <c>e2e</c> (the whole answer), for lowest-latency.</summary>
    public bool LatencyPerToken { get; init; } = true;

    /// <summary>What lowest-usage counts: total-tokens, prompt-tokens, completion-tokens or cost.</summary>
    public string TokensCountStrategy { get; init; } = "total-tokens";

    /// <summary>The header whose value consistent-hashing hashes (the consumer when a request has none).</summary>
    public string HashOnHeader { get; init; } = "X-Kong-LLM-Request-ID";

    /// <summary>How many other targets a failed call may go on to.</summary>
    public int Retries { get; init; } = 5;

    public LlmFailure FailoverCriteria { get; init; } = LlmFailure.Error | LlmFailure.Timeout;

    public int ConnectTimeoutMs { get; init; } = 60_000;

    public int ReadTimeoutMs { get; init; } = 60_000;

    public int WriteTimeoutMs { get; init; } = 60_000;
}

/// <summary>How ai-proxy-advanced chooses a target.</summary>
internal enum LlmBalancerAlgorithm
{
    RoundRobin,
    LowestLatency,
    LowestUsage,
    ConsistentHashing,
    Priority,
}
