namespace Turnpike.Edge.Admin.Declarative;

/// <summary>A declarative file read: the table-replacing write, or the error and what is needed to flatten it (Kong's <c>flatten_errors</c>).</summary>
internal sealed record DeclarativeReadResult
{
    public RouteTableWrite? Write { get; init; }

    public AdminError? Error { get; init; }

    /// <summary>The errors by path in the file; empty when the file could not be parsed at all (nothing to flatten then, as in Kong).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>The file's entities in reading order (each before what nests under it), when it had errors.</summary>
    public IReadOnlyList<DeclarativeEntityInput> Entities { get; init; } = [];

    /// <summary>The <c>_format_version</c> the file gave.</summary>
    public string? FormatVersion { get; init; }

    /// <summary>The route paths a format 1.1 or 2.1 file had rewritten.</summary>
    public IReadOnlyList<RoutePathChange> Migrated { get; init; } = [];

    /// <summary>Whether the file was a parsed document (Kong flattens only then).</summary>
    public bool Parsed => Write is not null || Errors.Count > 0;
}
