using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Regions;

/// <summary>
/// Signs and checks cross-region link requests with the regions' shared secret: HMAC-SHA256 over the sender's region,
/// the time, the method, the path and query, and the SHA-256 of the body. A request whose signature does not match,
/// from a region not configured, or timed further from the receiver's clock than the allowed skew is refused; a replay
/// within the skew is harmless (reads change nothing; a write carries its id, which the route table answers once).
/// </summary>
public static class LinkSignature
{
    public const string RegionHeader = "X-Turnpike-Link-Region";
    public const string TimeHeader = "X-Turnpike-Link-Time";
    public const string SignatureHeader = "X-Turnpike-Link-Signature";

    private const string Scheme = "turnpike-link-v1";

    public static string Sign(string secret, string region, long unixSeconds, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        var text = string.Join('\n', Scheme, region, unixSeconds.ToString(CultureInfo.InvariantCulture), method.ToUpperInvariant(), pathAndQuery,
            Convert.ToHexStringLower(SHA256.HashData(body)));
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Null when the request is signed by a known region within the skew; else why not, in one line for the sender.</summary>
    public static string? Check(
        string secret,
        ICollection<string> knownRegions,
        string? region,
        string? time,
        string? signature,
        string method,
        string pathAndQuery,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        TimeSpan maxSkew)
    {
        if (string.IsNullOrEmpty(region) || string.IsNullOrEmpty(time) || string.IsNullOrEmpty(signature))
        {
            return $"link request not signed: {RegionHeader}, {TimeHeader} and {SignatureHeader} are required";
        }

        if (!knownRegions.Contains(region))
        {
            return RegionOptionsChecks.IsValidName(region)
                ? $"region '{region}' is not a peer of this region (Turnpike:Regions:Peers)"
                : $"{RegionHeader} is not a region name";
        }

        if (!long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 1L << 40)
        {
            return $"{TimeHeader} must be unix seconds";
        }

        var skew = now.ToUnixTimeSeconds() - seconds;
        if (Math.Abs(skew) > (long)maxSkew.TotalSeconds)
        {
            return $"link request time is {Math.Abs(skew)} s {(skew > 0 ? "behind" : "ahead of")} this region's clock (at most {(long)maxSkew.TotalSeconds} s allowed): check the clocks of region '{region}'";
        }

        Span<byte> given = stackalloc byte[32];
        var expected = Convert.FromBase64String(Sign(secret, region, seconds, method, pathAndQuery, body));
        if (!Convert.TryFromBase64String(signature, given, out var written) || written != expected.Length
            || !CryptographicOperations.FixedTimeEquals(given[..written], expected))
        {
            return $"link signature from region '{region}' does not match: the regions' Turnpike:Regions:Secret differ";
        }

        return null;
    }
}
