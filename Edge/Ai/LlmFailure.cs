namespace Turnpike.Edge.Ai;

/// <summary>
/// How a call to an LLM provider failed, in the terms of ai-proxy-advanced's <c>failover_criteria</c> (nginx's
/// <c>proxy_next_upstream</c> names, as Kong spells them).
/// </summary>
[Flags]
internal enum LlmFailure
{
    None = 0,

    /// <summary>The provider could not be reached, or its answer broke off before anything went to the client.</summary>
    Error = 1,

    /// <summary>No answer (or no next part of it) within the read timeout.</summary>
    Timeout = 1 << 1,

    /// <summary>An answer the gateway could not read.</summary>
    InvalidHeader = 1 << 2,
    Http403 = 1 << 3,
    Http404 = 1 << 4,
    Http429 = 1 << 5,
    Http500 = 1 << 6,
    Http502 = 1 << 7,
    Http503 = 1 << 8,
    Http504 = 1 << 9,

    /// <summary>Any other error status: never a failover criterion, but the call failed all the same.</summary>
    OtherStatus = 1 << 10,
}

/// <summary>Classifies provider outcomes.</summary>
internal static class LlmFailures
{
    /// <summary>Failures that say the target itself is in trouble (not the request): they count against its health.</summary>
    public const LlmFailure Unhealthy = LlmFailure.Error | LlmFailure.Timeout | LlmFailure.InvalidHeader | LlmFailure.Http429
        | LlmFailure.Http500 | LlmFailure.Http502 | LlmFailure.Http503 | LlmFailure.Http504;

    public static LlmFailure OfStatus(int status) => status switch
    {
        < 400 => LlmFailure.None,
        403 => LlmFailure.Http403,
        404 => LlmFailure.Http404,
        429 => LlmFailure.Http429,
        500 => LlmFailure.Http500,
        502 => LlmFailure.Http502,
        503 => LlmFailure.Http503,
        504 => LlmFailure.Http504,
        _ => LlmFailure.OtherStatus,
    };
}
