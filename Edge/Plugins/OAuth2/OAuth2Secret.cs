using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// A client secret kept hashed (<c>hash_secret: true</c>), in the PHC string Kong writes:
/// <c>$pbkdf2-sha512$i=10000,l=32$&lt;salt&gt;$&lt;hash&gt;</c> (base64 without padding), so secrets hashed by Kong verify here
/// and the other way round. Checked only on the token endpoint, never per proxied request.
/// </summary>
internal static class OAuth2Secret
{
    private const string Prefix = "$pbkdf2-sha512$";
    private const int Iterations = 10_000;
    private const int HashLength = 32;
    private const int MaxIterations = 1_000_000; // a stored hash is admin input: it may not pin a CPU

    public static bool IsHash(string value) => Parse(value) is not null;

    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA512, HashLength);
        return $"{Prefix}i={Iterations},l={HashLength}${Encode(salt)}${Encode(hash)}";
    }

    /// <summary>True when <paramref name="secret"/> is the one <paramref name="stored"/> was made from (constant time in the hash).</summary>
    public static bool Verify(string? secret, string stored)
    {
        if (secret is null || Parse(stored) is not { } phc)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), phc.Salt, phc.Iterations, HashAlgorithmName.SHA512, phc.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, phc.Hash);
    }

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string value)
    {
        if (!value.StartsWith(Prefix, StringComparison.Ordinal) || value[Prefix.Length..].Split('$') is not [var parameters, var salt, var hash])
        {
            return null;
        }

        int? iterations = null;
        foreach (var parameter in parameters.Split(','))
        {
            if (parameter.StartsWith("i=", StringComparison.Ordinal) && int.TryParse(parameter.AsSpan(2), out var i) && i is > 0 and <= MaxIterations)
            {
                iterations = i;
            }
        }

        var saltBytes = Decode(salt);
        var hashBytes = Decode(hash);
        return iterations is { } n && saltBytes is { Length: > 0 } && hashBytes is { Length: >= 16 and <= 64 } ? (n, saltBytes, hashBytes) : null;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[]? Decode(string text)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
