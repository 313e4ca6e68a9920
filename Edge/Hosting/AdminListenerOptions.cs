namespace Turnpike.Edge.Hosting;

/// <summary>The admin API's listener (<c>Turnpike:Admin</c>) and the size of the bodies it reads.</summary>
internal sealed class AdminListenerOptions
{
    public const string Section = "Turnpike:Admin";

    public const long DefaultMaxBodySize = 16 * 1024 * 1024;

    /// <summary>A declarative file this large is already far beyond any table we have seen; above it reading whole bodies into memory stops being harmless.</summary>
    public const long MaxAllowedBodySize = 1024L * 1024 * 1024;

    /// <summary>One or more <c>http://address:port</c> or <c>https://address:port</c>, separated by <c>;</c> or <c>,</c>.</summary>
    public string Urls { get; set; } = "";

    /// <summary>The certificate of the <c>https://</c> URLs.</summary>
    public CertificateFileOptions Certificate { get; set; } = new();

    /// <summary>The largest admin request body, in bytes (also the largest declarative file read at start); larger ones get 413.</summary>
    public long MaxBodySize { get; set; } = DefaultMaxBodySize;
}
