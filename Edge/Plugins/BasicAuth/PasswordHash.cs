using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Plugins.BasicAuth;

/// <summary>
/// How basic-auth passwords are kept: <c>sha256$&lt;salt&gt;$&lt;hash&gt;</c>, a random 128-bit salt and SHA-256 of salt
/// and password, in hex. Fast enough to check on every request (a microsecond), salted so equal passwords
/// do not show, and never stored in the clear. A value already in this format is kept as it is, so an
/// exported configuration imports again without plaintext passwords.
/// </summary>
internal static class PasswordHash
{
    private const string Prefix = "sha256$";

    public static bool IsHash(string value) =>
        value.StartsWith(Prefix, StringComparison.Ordinal) && value.Split('$') is [_, { Length: 32 } salt, { Length: 64 } hash] && IsHex(salt) && IsHex(hash);

    public static string Create(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return $"{Prefix}{Convert.ToHexStringLower(salt)}${Convert.ToHexStringLower(Digest(salt, password))}";
    }

    public static bool Verify(string stored, string password)
    {
        if (!IsHash(stored))
        {
            return false;
        }

        var parts = stored.Split('$');
        return CryptographicOperations.FixedTimeEquals(Digest(Convert.FromHexString(parts[1]), password), Convert.FromHexString(parts[2]));
    }

    private static byte[] Digest(byte[] salt, string password) => SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)]);

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigit);
}
