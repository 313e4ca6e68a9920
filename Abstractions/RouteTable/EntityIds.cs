namespace Turnpike.RouteTable;

/// <summary>
/// What counts as an entity id in a path or reference: a UUID in its dashed form only, as Kong checks it.
/// Anything else is a name, so a 32-hex-digit key (as Kong generates them) is found by name, not mistaken for an id.
/// </summary>
public static class EntityIds
{
    public static bool TryParse(string? text, out Guid id) => Guid.TryParseExact(text, "D", out id);
}
