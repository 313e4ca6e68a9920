using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Plugins.AiSemanticCache;

/// <summary>ai-semantic-cache's log events (2710–2719). Reasons, not stack traces: these are outside events.</summary>
internal static partial class AiSemanticCacheLog
{
    [LoggerMessage(EventId = 2710, Level = LogLevel.Warning, Message = "ai-semantic-cache could not look the prompt up ({Reason}); {Outcome}")]
    public static partial void LookupFailed(ILogger logger, string reason, string outcome);

    [LoggerMessage(EventId = 2711, Level = LogLevel.Warning, Message = "ai-semantic-cache could not store an answer ({Exception}: {Reason})")]
    public static partial void StoreFailed(ILogger logger, string exception, string reason);
}
