namespace Turnpike.Edge.Upstreams;

/// <summary>How targets named by DNS are resolved (section <c>Turnpike:Dns</c>).</summary>
internal sealed class DnsOptions
{
    public const string Section = "Turnpike:Dns";

    /// <summary>Name servers as <c>address:port</c>, comma-separated; empty: the machine's own resolvers.</summary>
    public string Servers { get; set; } = "";

    /// <summary>The shortest time an answer is kept, whatever its TTL says (a TTL of 0 would mean a query per request).</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a failed lookup, how long the last addresses are kept before the next try.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(5);
}
