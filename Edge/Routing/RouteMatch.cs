namespace Turnpike.Edge.Routing;

/// <summary>The route that won a request, and how much of the path it matched (what strip_path removes).</summary>
internal readonly record struct RouteMatch(CompiledRoute Route, int MatchedPathLength, string? MatchedPrefix);
