using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>Declarative configuration's log events (2210-2219).</summary>
internal static partial class DeclarativeLog
{
    [LoggerMessage(EventId = 2210, Level = LogLevel.Warning,
        Message = "Declarative configuration in _format_version {FormatVersion} read as 3.0: {Count} route paths rewritten (regexes marked with ~, plain paths normalised): {Changes}")]
    public static partial void Migrated(ILogger logger, string formatVersion, int count, string changes);
}
