using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>aws-lambda's log lines: what failed and why, never a credential (see docs/operations.md, 3100–3104).</summary>
internal static partial class AwsLambdaLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "aws-lambda: function {Function} cannot be invoked: {Reason}")]
    public static partial void NotInvocable(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "aws-lambda: Lambda at {Endpoint} could not be reached for function {Function}: {Reason}")]
    public static partial void Unreachable(ILogger logger, string endpoint, string function, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "aws-lambda: Lambda refused to invoke function {Function} ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string function, int status, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "aws-lambda: function {Function} answered a response that is not a valid proxy integration response: {Reason}")]
    public static partial void BadProxyResponse(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "aws-lambda: request body over {Limit} bytes left out of the invocation of {Function} (skip_large_bodies)")]
    public static partial void BodySkipped(ILogger logger, string function, int limit);
}
