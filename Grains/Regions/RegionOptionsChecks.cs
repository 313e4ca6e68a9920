using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>
/// The checks of <c>Turnpike:Regions</c> that silos and edges share, phrased for an operator; each role's validator
/// (<see cref="SiloRegionOptionsValidator"/>, <see cref="EdgeRegionOptionsValidator"/>) adds what only it needs. A single
/// region (no peers) needs nothing and passes.
/// </summary>
public static class RegionOptionsChecks
{
    private const string Section = RegionOptions.Section;

    /// <summary>The shortest secret accepted: 32 characters, 192 bits or more of a random base64 string.</summary>
    public const int MinSecretLength = 32;

    /// <summary>A region name: lower-case letters, digits and dashes, as in a DNS label (it appears in URLs, headers and messages).</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 63 } && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>
    /// The region's name, and with peers their names and links, the home region and the secret. False when the region
    /// has no peers: then nothing else applies.
    /// </summary>
    internal static bool Peers(RegionOptions options, List<string> problems)
    {
        if (!IsValidName(options.Name))
        {
            problems.Add($"{RegionOptions.NameKey} '{Printable(options.Name)}' is not a region name: use lower-case letters, digits and '-' (at most 63).");
        }

        if (!options.Enabled)
        {
            if (options.Home is { Length: > 0 } home && home != options.Name)
            {
                problems.Add($"{Section}:Home names region '{Printable(home)}', but {Section}:Peers names no other region; this region is '{options.Name}'.");
            }

            return false;
        }

        var known = options.Peers.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var (peer, settings) in options.Peers)
        {
            if (!IsValidName(peer))
            {
                problems.Add($"{Section}:Peers:{Printable(peer)} is not a region name: use lower-case letters, digits and '-' (at most 63).");
            }
            else if (peer == options.Name)
            {
                problems.Add($"{Section}:Peers:{peer} is this region ({RegionOptions.NameKey}); list only the other regions.");
            }

            if (!ValidLinks(settings.Link))
            {
                problems.Add($"{Section}:Peers:{Printable(peer)}:Link must be one or more http:// or https://host:port URLs of that region's silos' link listeners, separated by ';'.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Home))
        {
            problems.Add($"{Section}:Home is required with {Section}:Peers: name the region that takes writes ('{options.Name}' or one of: {string.Join(", ", known)}).");
        }
        else if (options.Home != options.Name && !options.Peers.ContainsKey(options.Home))
        {
            problems.Add($"{Section}:Home names region '{Printable(options.Home)}', which is neither this region ('{options.Name}') nor one of {Section}:Peers ({string.Join(", ", known)}).");
        }

        if (string.IsNullOrEmpty(options.Secret))
        {
            problems.Add($"{Section}:Secret is required with {Section}:Peers: the secret every region shares to sign the link (at least {MinSecretLength} characters).");
        }
        else if (options.Secret.Length < MinSecretLength || options.Secret.Any(char.IsControl))
        {
            problems.Add($"{Section}:Secret must be at least {MinSecretLength} printable characters (e.g. openssl rand -base64 32).");
        }

        return true;
    }

    /// <summary>The link's TLS settings, needed when any of <paramref name="links"/> (the peers' and, on a silo, its own) is https.</summary>
    internal static void Tls(RegionOptions options, IEnumerable<string> links, List<string> problems)
    {
        var https = links.Any(l => l.Contains("https://", StringComparison.OrdinalIgnoreCase));
        if (https || options.Tls.Configured)
        {
            if (RegionLinkTls.Problem(options.Tls) is { } problem)
            {
                problems.Add(https ? $"{Section}:Tls: an https:// link needs {problem}" : $"{Section}:Tls: {problem}");
            }
        }
    }

    internal static void Timeouts(RegionOptions options, List<string> problems)
    {
        if (options.WriteTimeout <= TimeSpan.Zero || options.ReadYourWritesTimeout < TimeSpan.Zero || options.MaxClockSkew <= TimeSpan.Zero
            || options.HomeCheckInterval <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:WriteTimeout, {Section}:HomeCheckInterval and {Section}:MaxClockSkew must be positive, {Section}:ReadYourWritesTimeout not negative.");
        }
    }

    internal static ValidateOptionsResult Result(List<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

    internal static bool ValidLinks(string links)
    {
        var parts = links.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 && parts.All(p => Uri.TryCreate(p, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.AbsolutePath == "/" && uri.Query.Length == 0);
    }

    // Names come from configuration, and the message goes to a terminal and logs: control characters are shown escaped.
    private static string Printable(string? text) =>
        string.Concat((text ?? "").Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
