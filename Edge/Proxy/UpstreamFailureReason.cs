namespace Turnpike.Edge.Proxy;

/// <summary>
/// The reason a forward failed, in one line for the log: the exception's message and, when it wraps others (an
/// HttpRequestException saying only "The SSL connection could not be established, see inner exception"), the
/// innermost one's, which names what actually went wrong.
/// </summary>
internal static class UpstreamFailureReason
{
    public static string Of(Exception? exception)
    {
        if (exception is null)
        {
            return "";
        }

        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        var text = ReferenceEquals(innermost, exception) ? exception.Message : $"{exception.Message} {innermost.Message}";
        return PrintableText.Escape(text.ReplaceLineEndings(" "));
    }
}
