using System.Globalization;
using System.Text;

namespace Turnpike.Edge.Plugins.Syslog;

/// <summary>
/// One RFC 3164 message as syslog(3) sends it: <c>&lt;PRI&gt;Mmm dd hh:mm:ss [HOST ]kong[pid]: {json}</c>, where PRI is
/// facility × 8 + severity. The record is JSON on one line (its text escapes CR, LF and NUL), so one request is one message.
/// </summary>
internal static class SyslogMessage
{
    /// <summary>Kong's severity names, most severe first (the value is the index).</summary>
    public static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    /// <summary>Kong's facility names with their codes.</summary>
    public static readonly string[] Facilities =
        ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    public static int Severity(string name) => Array.IndexOf(Severities, name);

    public static int Facility(string name)
    {
        var index = Array.IndexOf(Facilities, name);
        return index < 12 ? index : 16 + (index - 12); // local0..local7 are 16..23
    }

    public static byte[] Format(int facility, int severity, DateTimeOffset now, string? host, int pid, ReadOnlySpan<byte> record)
    {
        var month = now.ToString("MMM", CultureInfo.InvariantCulture);
        var header = string.Create(CultureInfo.InvariantCulture, $"<{(facility * 8) + severity}>{month} {now.Day,2} {now:HH:mm:ss} {(host is null ? "" : host + " ")}kong[{pid}]: ");
        var bytes = new byte[Encoding.ASCII.GetByteCount(header) + record.Length];
        var written = Encoding.ASCII.GetBytes(header, bytes);
        record.CopyTo(bytes.AsSpan(written));
        return bytes;
    }
}
