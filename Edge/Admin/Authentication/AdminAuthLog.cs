using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Admin authentication's log events (2900-2909): one line per refused request, none per accepted one, never a token.</summary>
internal static partial class AdminAuthLog
{
    [LoggerMessage(EventId = 2900, Level = LogLevel.Warning, Message = "Admin authentication failed ({Reason}) for {Method} {Path} from {Client}")]
    public static partial void Failed(ILogger logger, AdminAuthFailure reason, string method, string path, string? client);

    [LoggerMessage(EventId = 2901, Level = LogLevel.Warning, Message = "Admin {Username} ({Role}) was refused {Method} {Path} from {Client}")]
    public static partial void Forbidden(ILogger logger, string username, string role, string method, string path, string? client);
}
