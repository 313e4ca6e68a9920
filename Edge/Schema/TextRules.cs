namespace Turnpike.Edge.Schema;

/// <summary>
/// What admin text may contain. Stored strings reach upstream headers, paths and log lines, where a CR/LF splits
/// a header or forges a log line and a NUL truncates: C0 controls (U+0000-U+001F), DEL, C1 controls (U+0080-U+009F:
/// NEL ends a line for many log readers, CSI is a terminal escape) and the Unicode line and paragraph separators
/// (U+2028, U+2029) are refused everywhere, except tab, CR and LF in the few fields that are multi-line by nature
/// (PEM keys, response bodies, prompts).
/// </summary>
internal static class TextRules
{
    public const string ControlProblem = "must not contain control characters";

    public const string MultiLineControlProblem = "must not contain control characters other than tab, CR and LF";

    /// <summary>An error message, or null when <paramref name="value"/> is acceptable.</summary>
    public static string? Control(string value, bool multiLine = false)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or (>= '\u007F' and <= '\u009F') or '\u2028' or '\u2029' && !(multiLine && c is '\t' or '\r' or '\n'))
            {
                return multiLine ? MultiLineControlProblem : ControlProblem;
            }
        }

        return null;
    }

    /// <summary>A header name must be an RFC 7230 token (<c>tchar</c>s): anything else a client or upstream would reject or misread.</summary>
    public static string? HeaderName(string value) =>
        value.Length > 0 && value.All(IsTokenChar) ? null : $"bad header name '{value}': expected an RFC 7230 token";

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
