namespace Turnpike.Edge.Admin;

/// <summary>
/// Budgets of the admin API's parsers, so that no document can overflow the stack, expand without bound or pin
/// a CPU. Kong's own declarative files nest about six levels and use aliases sparingly; these are far above that.
/// </summary>
internal static class AdminInputLimits
{
    /// <summary>Nested objects/arrays (JSON) or mappings/sequences (YAML), alias expansion included.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes (scalars and collections) one YAML document may hold: a 16 MiB file of short scalars stays under it.</summary>
    public const int MaxNodes = 2_000_000;

    /// <summary>Nodes that YAML aliases may add beyond the document's own: a small file cannot become a huge one.</summary>
    public const int AliasAllowance = 10_000;
}
