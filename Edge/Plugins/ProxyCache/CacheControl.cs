using System.Globalization;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// The directives of a <c>Cache-Control</c> header that proxy-cache acts on (RFC 9111 §5.2), parsed leniently as
/// caches do: unknown directives are ignored, a delta-seconds that is not a number is ignored, a huge one is capped.
/// </summary>
internal readonly record struct CacheControl(bool NoStore, bool NoCache, bool Private, bool Public, long? MaxAge, long? SharedMaxAge, long? MaxStale, long? MinFresh)
{
    /// <summary>RFC 9111 §1.2.2: a delta greater than this is taken as this (68 years).</summary>
    public const long MaxDelta = int.MaxValue;

    public static CacheControl Parse(string? header)
    {
        var result = default(CacheControl);
        if (string.IsNullOrEmpty(header))
        {
            return result;
        }

        foreach (var range in header.AsSpan().Split(','))
        {
            var part = header.AsSpan()[range].Trim();
            var equals = part.IndexOf('=');
            var name = (equals < 0 ? part : part[..equals]).Trim();
            var value = equals < 0 ? default : part[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("no-store", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { NoStore = true };
            }
            else if (name.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { NoCache = true };
            }
            else if (name.Equals("private", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { Private = true };
            }
            else if (name.Equals("public", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { Public = true };
            }
            else if (name.Equals("max-age", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { MaxAge = Delta(value) ?? result.MaxAge };
            }
            else if (name.Equals("s-maxage", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { SharedMaxAge = Delta(value) ?? result.SharedMaxAge };
            }
            else if (name.Equals("max-stale", StringComparison.OrdinalIgnoreCase))
            {
                // Without a value a client accepts any staleness.
                result = result with { MaxStale = equals < 0 ? MaxDelta : Delta(value) ?? result.MaxStale };
            }
            else if (name.Equals("min-fresh", StringComparison.OrdinalIgnoreCase))
            {
                result = result with { MinFresh = Delta(value) ?? result.MinFresh };
            }
        }

        return result;
    }

    private static long? Delta(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? Math.Min(seconds, MaxDelta) : MaxDelta;
    }
}
