using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>One entity of a file as read: where it stands, its place's kind, the record as the file wrote it, the record prepared for its schema, and its parent.</summary>
/// <param name="Path">Its place in the file (<c>services[0].routes[1]</c>), which its errors are keyed under.</param>
/// <param name="Item">The file's record, untouched (what Kong's flattened errors echo).</param>
/// <param name="Json">The record without what nests under it, with its id, its parent key and its references resolved.</param>
/// <param name="Parent">The index of the entity it nests under among the file's entities; -1 at the top level.</param>
internal sealed record DeclarativeEntityInput(string Path, DeclarativeKind Kind, JsonObject Item, JsonObject Json, int Parent);
