namespace Turnpike.Regions;

/// <summary>
/// The regions of a deployment (section <c>Turnpike:Regions</c>): each region is its own cluster, joined to the others by
/// the cross-region link. Without peers (the default) the cluster is the only region and nothing here is used.
/// This region's name is <c>Turnpike:Region</c>, the label edges and silos already carry.
/// </summary>
public sealed class RegionOptions
{
    public const string Section = "Turnpike:Regions";

    /// <summary>The key this region's name is read from.</summary>
    public const string NameKey = "Turnpike:Region";

    public const string DefaultName = "default";

    /// <summary>This region's name (from <see cref="NameKey"/>).</summary>
    public string Name { get; set; } = DefaultName;

    /// <summary>The region whose route table takes every write: this region or one of <see cref="Peers"/>.</summary>
    public string? Home { get; set; }

    /// <summary>The secret every region shares; the link signs each request with it (HMAC-SHA256). At least 32 characters.</summary>
    public string? Secret { get; set; }

    /// <summary>The silo's link listener: where the peers' silos and edges reach this region.</summary>
    public RegionLinkListenerOptions Link { get; set; } = new();

    /// <summary>TLS on the link: required when a link URL (this silo's listener or a peer's) is <c>https://</c>; then mutual.</summary>
    public RegionLinkTlsOptions Tls { get; set; } = new();

    /// <summary>The other regions, by name, with the link endpoints of their silos.</summary>
    public Dictionary<string, RegionPeerOptions> Peers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long an edge waits for the home region to answer a write it forwards.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the edge that took an admin write (its own region's or forwarded) waits to serve the new version before it answers.</summary>
    public TimeSpan ReadYourWritesTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each silo asks the other regions which home and epoch they hold (a move of the home reaches every region within it).</summary>
    public TimeSpan HomeCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How far a signed link request's time may be from the receiver's clock (it bounds how long a captured request could be replayed).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when this deployment has more than one region.</summary>
    public bool Enabled => Peers.Count > 0;

    /// <summary>True when writes are applied here: a single region, or the home of several.</summary>
    public bool IsHome => !Enabled || string.Equals(Home, Name, StringComparison.Ordinal);
}

public sealed class RegionLinkListenerOptions
{
    /// <summary>
    /// One or more <c>http://address:port</c> (HTTP/2 with prior knowledge) or <c>https://address:port</c> (HTTP/2 over mutual TLS,
    /// see <see cref="RegionOptions.Tls"/>), separated by <c>;</c>. Silos only.
    /// </summary>
    public string Urls { get; set; } = "";
}

public sealed class RegionPeerOptions
{
    /// <summary>The link URLs of the peer region's silos (<c>http://host:port</c> or <c>https://host:port</c>), separated by <c>;</c>; tried in turn.</summary>
    public string Link { get; set; } = "";

    public Uri[] LinkUris() =>
        [.. Link.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u, UriKind.Absolute))];
}

/// <summary>
/// Mutual TLS on the link: this process's certificate (served by a silo's <c>https://</c> link listener and presented as
/// its client certificate when it calls another region) and the CA every region's certificates are issued by. A peer is
/// trusted when its certificate chains to <see cref="Ca"/> (and, for a server, names the host the link URL names).
/// </summary>
public sealed class RegionLinkTlsOptions
{
    /// <summary>PEM file: this process's certificate (chain).</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM file: its private key.</summary>
    public string? Key { get; set; }

    /// <summary>PEM file: the CA certificate(s) the regions' link certificates are issued by (only these are trusted on the link).</summary>
    public string? Ca { get; set; }

    public bool Configured => !string.IsNullOrEmpty(Certificate) || !string.IsNullOrEmpty(Key) || !string.IsNullOrEmpty(Ca);
}
