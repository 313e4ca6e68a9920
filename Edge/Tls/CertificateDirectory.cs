using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Tls;

/// <summary>
/// The certificates of one route table version, ready for the TLS handshake: each SNI name to its certificate
/// (exact names, then leading wildcards <c>*.example.com</c>, then trailing wildcards <c>example.*</c>, each in a
/// dictionary keyed as Kong keys them, then the configured default), and every certificate and CA certificate by id
/// for upstream TLS. Built off the request path when certificates or SNIs change; a handshake's choice is at most
/// three dictionary lookups on this immutable object, however many wildcards there are.
/// </summary>
internal sealed class CertificateDirectory
{
    public static readonly CertificateDirectory Empty = new([], [], [], [], []);

    private readonly Dictionary<string, ServedCertificate> _exact;
    private readonly Dictionary<string, ServedCertificate> _leadingWildcards;
    private readonly Dictionary<string, ServedCertificate> _trailingWildcards;
    private readonly Dictionary<Guid, ServedCertificate> _byId;
    private readonly Dictionary<Guid, X509Certificate2> _authorities;

    private CertificateDirectory(
        Dictionary<string, ServedCertificate> exact,
        Dictionary<string, ServedCertificate> leading,
        Dictionary<string, ServedCertificate> trailing,
        Dictionary<Guid, ServedCertificate> byId,
        Dictionary<Guid, X509Certificate2> authorities)
    {
        _exact = exact;
        _leadingWildcards = leading;
        _trailingWildcards = trailing;
        _byId = byId;
        _authorities = authorities;
    }

    public bool IsEmpty => _byId.Count == 0;

    /// <summary>
    /// Builds the directory, reusing the loaded certificates of <paramref name="previous"/> whose entity did not change
    /// (parsing a PEM and its key costs far more than the rest). A certificate that no longer loads is left out.
    /// </summary>
    public static CertificateDirectory Build(
        IReadOnlyDictionary<Guid, CertificateEntity> certificates,
        IEnumerable<SniEntity> snis,
        IReadOnlyDictionary<Guid, CaCertificateEntity> authorities,
        CertificateDirectory previous)
    {
        var byId = new Dictionary<Guid, ServedCertificate>(certificates.Count);
        foreach (var (id, entity) in certificates)
        {
            var served = previous._byId.TryGetValue(id, out var known) && ReferenceEquals(known.Entity, entity) ? known : ServedCertificate.Load(entity);
            if (served is not null)
            {
                byId[id] = served;
            }
        }

        var exact = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        var leading = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        var trailing = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        foreach (var sni in snis)
        {
            if (!byId.TryGetValue(sni.CertificateId, out var served))
            {
                continue;
            }

            if (sni.Name.StartsWith("*.", StringComparison.Ordinal))
            {
                leading[sni.Name] = served;
            }
            else if (sni.Name.EndsWith(".*", StringComparison.Ordinal))
            {
                trailing[sni.Name] = served;
            }
            else
            {
                exact[sni.Name] = served;
            }
        }

        var cas = new Dictionary<Guid, X509Certificate2>(authorities.Count);
        foreach (var (id, entity) in authorities)
        {
            if (previous._authorities.TryGetValue(id, out var knownCa) && previous.AuthorityEntities.TryGetValue(id, out var knownEntity) && ReferenceEquals(knownEntity, entity))
            {
                cas[id] = knownCa;
                continue;
            }

            try
            {
                cas[id] = X509Certificate2.CreateFromPem(entity.Cert);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Checked when written; a stored one that no longer parses is simply not trusted.
            }
        }

        return new CertificateDirectory(exact, leading, trailing, byId, cas)
        {
            AuthorityEntities = new Dictionary<Guid, CaCertificateEntity>(authorities),
        };
    }

    private Dictionary<Guid, CaCertificateEntity> AuthorityEntities { get; init; } = [];

    /// <summary>
    /// The certificate for a handshake's server name: exact, then the leading wildcard that replaces its first label
    /// (<c>*.example.com</c> for <c>api.example.com</c>: one label only, as Kong), then the trailing wildcard that
    /// replaces its last (<c>api.example.*</c>); null when none is configured for it.
    /// </summary>
    public ServedCertificate? ForServerName(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        if (_exact.TryGetValue(serverName, out var exact))
        {
            return exact;
        }

        Span<char> key = stackalloc char[WildcardKey.MaxLength];
        var firstDot = serverName.IndexOf('.', StringComparison.Ordinal);
        if (firstDot > 0 && _leadingWildcards.Count > 0
            && _leadingWildcards.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(WildcardKey.Leading(serverName, firstDot, key), out var leading))
        {
            return leading;
        }

        var lastDot = serverName.LastIndexOf('.');
        if (lastDot > 0 && lastDot < serverName.Length - 1 && _trailingWildcards.Count > 0
            && _trailingWildcards.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(WildcardKey.Trailing(serverName, lastDot, key), out var trailing))
        {
            return trailing;
        }

        return null;
    }

    /// <summary>A certificate with its key by id (a service's <c>client_certificate</c>).</summary>
    public ServedCertificate? ById(Guid id) => _byId.GetValueOrDefault(id);

    /// <summary>A CA certificate by id (a service's <c>ca_certificates</c>).</summary>
    public X509Certificate2? Authority(Guid id) => _authorities.GetValueOrDefault(id);
}
