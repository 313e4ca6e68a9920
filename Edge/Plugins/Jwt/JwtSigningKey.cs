using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>
/// A JWT credential's key, ready to check signatures. Built once per credential version and plugin instance,
/// because importing a PEM key costs far more than verifying with it.
/// </summary>
internal sealed class JwtSigningKey
{
    // Verifying with a shared RSA/ECDsa instance is safe here: on Linux each call gets its own OpenSSL context.
    private readonly AsymmetricAlgorithm? _publicKey;
    private readonly byte[]? _secret;

    private JwtSigningKey(AsymmetricAlgorithm? publicKey, byte[]? secret)
    {
        _publicKey = publicKey;
        _secret = secret;
    }

    /// <summary>False when the credential has no usable secret or key (Kong's "Invalid key/secret").</summary>
    public bool IsUsable => _publicKey is not null || _secret is not null;

    public static JwtSigningKey Create(JwtCredentialEntity credential, bool secretIsBase64)
    {
        if (JwtAlgorithms.UsesSecret(credential.Algorithm))
        {
            var secret = credential.Secret is not { } text ? null
                : secretIsBase64 ? JwtToken.Decode(text.Replace('+', '-').Replace('/', '_'))
                : Encoding.UTF8.GetBytes(text);
            return new JwtSigningKey(null, secret);
        }

        var key = credential.RsaPublicKey is { } pem ? JwtAlgorithms.ImportPublicKey(credential.Algorithm, pem, out _) : null;
        return new JwtSigningKey(key, null);
    }

    public bool Verify(JwtToken token)
    {
        var hash = JwtAlgorithms.Hash(token.Algorithm);
        return _publicKey switch
        {
            RSA rsa => rsa.VerifyData(token.SigningInput, token.Signature, hash, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => ecdsa.VerifyData(token.SigningInput, token.Signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ when _secret is not null => CryptographicOperations.FixedTimeEquals(Hmac(hash, _secret, token.SigningInput), token.Signature),
            _ => false,
        };
    }

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data) =>
        hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data)
        : hash == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(key, data)
        : HMACSHA512.HashData(key, data);
}
