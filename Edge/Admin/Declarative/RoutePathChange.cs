namespace Turnpike.Edge.Admin.Declarative;

/// <summary>A route path the format migration rewrote: where in the file, what it was, what it became.</summary>
internal sealed record RoutePathChange(string Location, string Before, string After);
