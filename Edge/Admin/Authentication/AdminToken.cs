using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// Admin tokens: how they are made, which are acceptable, and how they are kept (SHA-256 of a random salt and
/// the token). A fast hash is enough because tokens are random high-entropy secrets, not passwords to guess.
/// </summary>
internal static class AdminToken
{
    /// <summary>Longer presented tokens are refused before any hashing.</summary>
    public const int MaxLength = 512;

    /// <summary>The shortest token an operator may choose (a generated one is 43 characters).</summary>
    public const int MinLength = 16;

    private const int SaltBytes = 16;

    /// <summary>32 random bytes, base64url without padding.</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Null when <paramref name="token"/> may be given to an admin, else why not.</summary>
    public static string? CheckNew(string token) =>
        token.Length < MinLength ? $"length must be at least {MinLength}"
        : token.Length > MaxLength ? $"length must be at most {MaxLength}"
        : token.All(c => c is > ' ' and < '\x7f') ? null
        : "must be printable ASCII without spaces";

    /// <summary>Whether a presented token is worth looking up: not empty, not too long, no CR, LF or NUL.</summary>
    public static bool IsWellFormed(string token) =>
        token.Length is > 0 and <= MaxLength && token.AsSpan().IndexOfAny('\r', '\n', '\0') < 0;

    /// <summary>A new salt and the token's hash under it, hex.</summary>
    public static (string Salt, string Hash) Protect(string token)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (Convert.ToHexStringLower(salt), Convert.ToHexStringLower(Hash(salt, token)));
    }

    public static byte[] Hash(ReadOnlySpan<byte> salt, string token)
    {
        var bytes = new byte[salt.Length + Encoding.UTF8.GetByteCount(token)];
        salt.CopyTo(bytes);
        Encoding.UTF8.GetBytes(token, bytes.AsSpan(salt.Length));
        return SHA256.HashData(bytes);
    }

    /// <summary>SHA-256 of the token alone: the key of verified tokens in <see cref="AdminDirectory"/>'s cache.</summary>
    public static byte[] Fingerprint(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Compares two tokens in time independent of where they differ (and, hashed first, of their lengths).</summary>
    public static bool FixedTimeEquals(string a, string b) => CryptographicOperations.FixedTimeEquals(Fingerprint(a), Fingerprint(b));
}
