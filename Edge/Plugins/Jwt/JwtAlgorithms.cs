using System.Security.Cryptography;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>
/// The signing algorithms a JWT credential may name. <c>none</c> is not among them, so an unsigned token
/// never passes; each credential fixes its algorithm, so a token cannot pick a weaker one.
/// </summary>
internal static class JwtAlgorithms
{
    public static readonly string[] Names = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

    public static bool IsSupported(string algorithm) => Array.IndexOf(Names, algorithm) >= 0;

    /// <summary>HMAC algorithms sign with the credential's shared secret; the others with the private half of its public key.</summary>
    public static bool UsesSecret(string algorithm) => algorithm.StartsWith("HS", StringComparison.Ordinal);

    public static HashAlgorithmName Hash(string algorithm) => algorithm[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    /// <summary>The key of an RS* or ES* credential, or null with a reason when the PEM is not a key of that family and size.</summary>
    public static AsymmetricAlgorithm? ImportPublicKey(string algorithm, string pem, out string? problem)
    {
        problem = null;
        try
        {
            if (algorithm.StartsWith("RS", StringComparison.Ordinal))
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return rsa;
            }

            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            var expectedSize = algorithm switch { "ES256" => 256, "ES384" => 384, _ => 521 };
            if (ecdsa.KeySize != expectedSize)
            {
                problem = $"{algorithm} needs a P-{expectedSize} key";
                ecdsa.Dispose();
                return null;
            }

            return ecdsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            problem = "invalid key";
            return null;
        }
    }
}
