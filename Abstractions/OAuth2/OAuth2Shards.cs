using System.Security.Cryptography;

namespace Turnpike.OAuth2;

/// <summary>
/// Which shard holds a token or code: a stable hash of its text (FNV-1a, the same in every process). Tokens the gateway
/// makes are drawn so that the access and refresh tokens of one record map to the same shard, so a refresh is one call.
/// </summary>
public static class OAuth2Shards
{
    public const int Count = 16;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static int Of(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }

    public static IOAuth2TokenShardGrain Grain(IGrainFactory grains, string text) => grains.GetGrain<IOAuth2TokenShardGrain>(Of(text));

    /// <summary>A random 32-character alphanumeric token (about 190 bits, Kong's length) that maps to <paramref name="shard"/>.</summary>
    public static string NewToken(int shard)
    {
        while (true)
        {
            var token = NewToken();
            if (Of(token) == shard)
            {
                return token;
            }
        }
    }

    public static string NewToken()
    {
        Span<char> chars = stackalloc char[32];
        Span<byte> bytes = stackalloc byte[64];
        var filled = 0;
        while (filled < chars.Length)
        {
            RandomNumberGenerator.Fill(bytes);
            foreach (var b in bytes)
            {
                // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
                if (b < 248 && filled < chars.Length)
                {
                    chars[filled++] = Alphabet[b % 62];
                }
            }
        }

        return new string(chars);
    }
}
