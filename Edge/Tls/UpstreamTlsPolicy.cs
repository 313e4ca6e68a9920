using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Tls;

/// <summary>
/// How the edge does TLS towards one service's upstream (Kong's <c>tls_verify</c>, <c>tls_verify_depth</c>,
/// <c>ca_certificates</c>, <c>client_certificate</c>), with the certificates resolved in one snapshot's
/// <see cref="CertificateDirectory"/>. Two policies are equal when they would make the same handshakes: the
/// certificates are compared as the loaded objects, which the directory keeps while their entities do not change,
/// so a changed CA or client certificate is a different policy (and a new connection pool) and nothing else is.
/// </summary>
internal sealed class UpstreamTlsPolicy : IEquatable<UpstreamTlsPolicy>
{
    /// <summary>Verify against the system's roots, no depth limit, no client certificate: what plain http services get too.</summary>
    public static readonly UpstreamTlsPolicy Default = new(verify: true, maxDepth: null, ownTrustStore: false, [], clientCertificate: null);

    private static readonly UpstreamTlsPolicy Unverified = new(verify: false, maxDepth: null, ownTrustStore: false, [], clientCertificate: null);

    private UpstreamTlsPolicy(bool verify, int? maxDepth, bool ownTrustStore, X509Certificate2[] authorities, ServedCertificate? clientCertificate)
    {
        Verify = verify;
        MaxDepth = maxDepth;
        OwnTrustStore = ownTrustStore;
        Authorities = authorities;
        ClientCertificate = clientCertificate;
    }

    /// <summary>False: any certificate is accepted (<c>tls_verify: false</c>).</summary>
    public bool Verify { get; }

    /// <summary>At most this many intermediate CAs between the upstream's certificate and the trust anchor; null: no limit.</summary>
    public int? MaxDepth { get; }

    /// <summary>
    /// True when the chain must end at one of <see cref="Authorities"/> instead of a system root (the service names
    /// <c>ca_certificates</c>). Kept apart from the set: a service whose CAs are all gone trusts nothing.
    /// </summary>
    public bool OwnTrustStore { get; }

    /// <summary>The only roots trusted with <see cref="OwnTrustStore"/> (<c>ca_certificates</c>), ordered by id.</summary>
    public X509Certificate2[] Authorities { get; }

    /// <summary>Presented when the upstream asks for a client certificate (<c>client_certificate</c>); null: none.</summary>
    public ServedCertificate? ClientCertificate { get; }

    /// <summary>True when the handshake needs nothing beyond .NET's defaults.</summary>
    public bool IsDefault => Equals(Default);

    /// <summary>
    /// The policy of <paramref name="service"/>. Plain <c>http</c>/<c>grpc</c> services make no handshake, so they all
    /// share <see cref="Default"/>. CA ids the directory does not hold are left out of the trusted set: a service
    /// whose CAs are all gone trusts nothing (fails closed) rather than falling back to the system's roots. A missing
    /// client certificate is presented as none (the upstream decides).
    /// </summary>
    public static UpstreamTlsPolicy For(ServiceEntity service, CertificateDirectory certificates)
    {
        if (service.Protocol is not ("https" or "grpcs"))
        {
            return Default;
        }

        var verify = service.TlsVerify ?? true;
        var client = service.ClientCertificateId is { } clientId ? certificates.ById(clientId) : null;
        if (!verify)
        {
            // Nothing is checked, so the CAs and the depth do not matter: services differing only there share a pool.
            return client is null ? Unverified : new UpstreamTlsPolicy(verify: false, maxDepth: null, ownTrustStore: false, [], client);
        }

        var authorities = Array.Empty<X509Certificate2>();
        var custom = service.CaCertificates is { Length: > 0 };
        if (custom)
        {
            var ordered = (Guid[])service.CaCertificates!.Clone();
            Array.Sort(ordered);
            var found = new List<X509Certificate2>(ordered.Length);
            foreach (var id in ordered)
            {
                if (certificates.Authority(id) is { } authority && !found.Contains(authority))
                {
                    found.Add(authority);
                }
            }

            authorities = [.. found];
        }

        if (!custom && service.TlsVerifyDepth is null && client is null)
        {
            return Default;
        }

        return new UpstreamTlsPolicy(verify: true, service.TlsVerifyDepth, custom, authorities, client);
    }

    public bool Equals(UpstreamTlsPolicy? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Verify != other.Verify || MaxDepth != other.MaxDepth || OwnTrustStore != other.OwnTrustStore
            || !ReferenceEquals(ClientCertificate, other.ClientCertificate) || Authorities.Length != other.Authorities.Length)
        {
            return false;
        }

        for (var i = 0; i < Authorities.Length; i++)
        {
            if (!ReferenceEquals(Authorities[i], other.Authorities[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as UpstreamTlsPolicy);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Verify);
        hash.Add(MaxDepth);
        hash.Add(OwnTrustStore);
        hash.Add(ClientCertificate is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(ClientCertificate));
        foreach (var authority in Authorities)
        {
            hash.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(authority));
        }

        return hash.ToHashCode();
    }
}
