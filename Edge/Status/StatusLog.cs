using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Status;

/// <summary>The cluster status endpoints' log events.</summary>
internal static partial class StatusLog
{
    [LoggerMessage(EventId = 2250, Level = LogLevel.Warning, Message = "Silo statistics unavailable for /clustering/silos: {Reason}")]
    public static partial void SiloStatisticsUnavailable(ILogger logger, string reason);
}
