namespace Turnpike.RouteTable;

/// <summary>Options of the route table grain (section <c>Turnpike:RouteTable</c>).</summary>
public sealed class RouteTableOptions
{
    public const string Section = "Turnpike:RouteTable";

    /// <summary>How many entity changes the grain keeps for edges to catch up by delta.</summary>
    public int ChangeLogCapacity { get; set; } = 10_000;

    /// <summary>An edge that has not renewed its subscription for this long is no longer notified or listed.</summary>
    public TimeSpan EdgeExpiry { get; set; } = TimeSpan.FromSeconds(30);
}
