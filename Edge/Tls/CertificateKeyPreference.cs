namespace Turnpike.Edge.Tls;

/// <summary>Which key type of certificate a client's ClientHello says it can verify, when a certificate has both (<c>cert_alt</c>).</summary>
internal enum CertificateKeyPreference
{
    /// <summary>Not known (no ClientHello read, or nothing in it decides): the primary pair is served, as without an alternative.</summary>
    Unknown,

    /// <summary>The client accepts an ECDSA certificate: the ECDSA pair is served.</summary>
    Ecdsa,

    /// <summary>The client accepts RSA but not ECDSA: the RSA pair is served.</summary>
    Rsa,
}
