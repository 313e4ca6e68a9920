using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Admin;

/// <summary>The admin API's log events.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Admin request {Method} {Path} failed with {Status}")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path, int status);
}
