using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>A certificate and its private key in PEM files (<c>…:Certificate:Path</c>, <c>…:Certificate:KeyPath</c>).</summary>
internal sealed class CertificateFileOptions
{
    /// <summary>The certificate, leaf first then its chain, in PEM.</summary>
    public string? Path { get; set; }

    /// <summary>The leaf's private key in PEM (PKCS#8, PKCS#1 or SEC1).</summary>
    public string? KeyPath { get; set; }

    public bool IsSet => !string.IsNullOrWhiteSpace(Path) || !string.IsNullOrWhiteSpace(KeyPath);

    /// <summary>Loads the pair, or stops the process with a message naming <paramref name="key"/>.</summary>
    public (X509Certificate2 Leaf, X509Certificate2Collection Chain) Load(string key)
    {
        if (string.IsNullOrWhiteSpace(Path) || string.IsNullOrWhiteSpace(KeyPath))
        {
            throw new ConfigurationProblemException($"{key}: both Path and KeyPath must name PEM files.");
        }

        try
        {
            var leaf = X509Certificate2.CreateFromPemFile(Path, KeyPath);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(Path);
            if (chain.Count > 0)
            {
                chain.RemoveAt(0);
            }

            return (leaf, chain);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ConfigurationProblemException($"{key}: cannot load '{Path}' with key '{KeyPath}': {ex.Message}");
        }
    }
}
