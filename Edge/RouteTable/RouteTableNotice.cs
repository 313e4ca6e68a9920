namespace Turnpike.Edge.RouteTable;

/// <summary>What the route table told this edge: its version, and the change from <see cref="FromVersion"/> when it sent one.</summary>
internal readonly record struct RouteTableNotice(long Version, long FromVersion, RouteTableDelta? Delta);
