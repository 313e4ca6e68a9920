using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Tls;

/// <summary>
/// Turns an <see cref="UpstreamTlsPolicy"/> into the TLS client options of one connection pool. Verification stays
/// .NET's wherever it can (chain and host name, the name being the SNI: the Host the upstream gets), because its
/// refusals name the reason (<c>UntrustedRoot</c>, <c>RemoteCertificateNameMismatch</c>) in the exception the
/// forward fails with; a callback is installed only to accept anything or to count the chain's depth.
/// </summary>
internal static class UpstreamTlsOptions
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The options for <paramref name="policy"/>; null for the default policy (the handler's defaults: system roots).</summary>
    public static SslClientAuthenticationOptions? For(UpstreamTlsPolicy policy)
    {
        if (policy.IsDefault)
        {
            return null;
        }

        var options = new SslClientAuthenticationOptions();
        if (!policy.Verify)
        {
            // The operator's explicit tls_verify: false (Kong's meaning): any certificate, as nginx with proxy_ssl_verify off.
#pragma warning disable CA5359
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else
        {
            if (policy.OwnTrustStore)
            {
                // Exactly the service's CAs, none of the system's; revocation is not checked, as nginx does not by default.
                var chainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                chainPolicy.CustomTrustStore.AddRange(policy.Authorities);
                chainPolicy.ApplicationPolicy.Add(ServerAuthentication);
                options.CertificateChainPolicy = chainPolicy;
            }

            if (policy.MaxDepth is { } depth)
            {
                options.RemoteCertificateValidationCallback = (_, _, chain, errors) => Check(depth, chain, errors);
            }
        }

        if (policy.ClientCertificate is { } client)
        {
            // The leaf with its intermediates, sent whenever the upstream asks for a certificate.
            options.ClientCertificateContext = SslStreamCertificateContext.Create(client.Primary, client.Chain, offline: true);
        }

        return options;
    }

    /// <summary>
    /// .NET's verdict, then the depth: OpenSSL's (nginx's <c>proxy_ssl_verify_depth</c>) count of CAs between the
    /// upstream's certificate and the trust anchor. A refusal throws with the reason, so the log line names it.
    /// </summary>
    internal static bool Check(int maxDepth, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors != SslPolicyErrors.None)
        {
            throw new AuthenticationException($"The upstream's certificate was refused: {Describe(errors, chain)}");
        }

        var intermediates = (chain?.ChainElements.Count ?? 1) - 2;
        if (intermediates > maxDepth)
        {
            throw new AuthenticationException(
                $"The upstream's certificate chain has {intermediates} intermediate certificate(s), more than tls_verify_depth {maxDepth} allows");
        }

        return true;
    }

    /// <summary>The policy errors and the chain's status flags, as .NET's own refusals word them.</summary>
    internal static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in chain?.ChainStatus ?? [])
        {
            flags |= status.Status;
        }

        return flags == X509ChainStatusFlags.NoError ? errors.ToString() : $"{errors} ({flags})";
    }
}
