namespace Turnpike.Edge.Regions;

/// <summary>An admin write this region could not hand to the home region: answered 503 in Kong's shape, naming the home.</summary>
internal sealed class HomeRegionUnreachableException(string home, string reason)
    : Exception($"The home region '{home}' is unreachable ({reason}); admin writes are refused until it is reachable again")
{
    public string Home { get; } = home;
}
