using System.Buffers.Binary;

namespace Turnpike.Edge.Tls;

/// <summary>How far <see cref="ClientHelloParser.Parse"/> got with the bytes it was given.</summary>
internal enum ClientHelloParse
{
    /// <summary>The first TLS record is not all there yet: read more (up to the bound) and call again.</summary>
    NeedMoreData,

    /// <summary>The first record was read: the preference is what it says (possibly <see cref="CertificateKeyPreference.Unknown"/>).</summary>
    Done,
}

/// <summary>
/// Reads, from the first TLS record of a connection, whether the client can verify an ECDSA or an RSA certificate:
/// the signature algorithms it offers (TLS 1.3 and 1.2) and, for TLS 1.2, its ECDHE-ECDSA and ECDHE-RSA cipher
/// suites. Hostile input: every length is checked against what is left, nothing is allocated, nothing throws, and a
/// record that is not a plausible ClientHello (wrong type, longer than TLS allows, lengths that lie) ends the parse
/// with <see cref="CertificateKeyPreference.Unknown"/>, which serves the primary pair as if there were no alternative.
/// A ClientHello split over several records (larger than 16 KiB) is not reassembled: it too is Unknown.
/// </summary>
internal static class ClientHelloParser
{
    /// <summary>A TLS record header: type, version, length.</summary>
    public const int RecordHeaderLength = 5;

    /// <summary>The most a plaintext record may carry (RFC 8446 §5.1: 2^14).</summary>
    public const int MaxRecordLength = 16 * 1024;

    /// <summary>The most bytes <see cref="Parse"/> ever needs: one full record.</summary>
    public const int MaxBytesNeeded = RecordHeaderLength + MaxRecordLength;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const ushort SignatureAlgorithmsExtension = 13;
    private const ushort SupportedVersionsExtension = 43;
    private const ushort Tls13 = 0x0304;

    /// <summary>Parses <paramref name="data"/>, the first bytes the client sent (more than one record is fine: only the first is read).</summary>
    public static ClientHelloParse Parse(ReadOnlySpan<byte> data, out CertificateKeyPreference preference) => Parse(data, out preference, out _);

    /// <summary>
    /// As <see cref="Parse(ReadOnlySpan{byte}, out CertificateKeyPreference)"/>, and whether the client can agree on a
    /// suite of Kong's intermediate list with the edge: it offers TLS 1.3 (every 1.3 suite is AEAD) or an ECDHE suite
    /// with AES-GCM. False only for a well-formed ClientHello that offers neither (a CBC-only TLS 1.2 client).
    /// </summary>
    public static ClientHelloParse Parse(ReadOnlySpan<byte> data, out CertificateKeyPreference preference, out bool offersIntermediateSuite)
    {
        preference = CertificateKeyPreference.Unknown;
        offersIntermediateSuite = true;
        if (data.Length >= 1 && data[0] != HandshakeRecord)
        {
            return ClientHelloParse.Done; // not TLS, or not a handshake: the TLS stack refuses it as it always did
        }

        if (data.Length < RecordHeaderLength)
        {
            return ClientHelloParse.NeedMoreData;
        }

        int recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (data[1] != 3 || recordLength > MaxRecordLength)
        {
            return ClientHelloParse.Done;
        }

        if (data.Length < RecordHeaderLength + recordLength)
        {
            return ClientHelloParse.NeedMoreData;
        }

        preference = Read(data.Slice(RecordHeaderLength, recordLength), out offersIntermediateSuite);
        return ClientHelloParse.Done;
    }

    /// <summary>The preference from one handshake record's payload; Unknown at the first length that does not fit.</summary>
    private static CertificateKeyPreference Read(ReadOnlySpan<byte> record, out bool offersIntermediateSuite)
    {
        offersIntermediateSuite = true; // unless a well-formed ClientHello says otherwise
        var reader = new Reader(record);
        if (!reader.TryByte(out var type) || type != ClientHelloMessage || !reader.TryUInt24(out var length) || !reader.TrySlice(length, out var body))
        {
            return CertificateKeyPreference.Unknown;
        }

        reader = new Reader(body);
        if (!reader.TrySkip(2 + 32) // legacy_version, random
            || !reader.TryByte(out var sessionIdLength) || !reader.TrySkip(sessionIdLength)
            || !reader.TryUInt16(out var suitesLength) || suitesLength % 2 != 0 || !reader.TrySlice(suitesLength, out var suites)
            || !reader.TryByte(out var compressionLength) || !reader.TrySkip(compressionLength))
        {
            return CertificateKeyPreference.Unknown;
        }

        var signatureAlgorithms = ReadOnlySpan<byte>.Empty;
        var hasSignatureAlgorithms = false;
        var offersTls13 = false;
        if (reader.Remaining > 0)
        {
            if (!reader.TryUInt16(out var extensionsLength) || !reader.TrySlice(extensionsLength, out var extensions))
            {
                return CertificateKeyPreference.Unknown;
            }

            var walker = new Reader(extensions);
            while (walker.Remaining > 0)
            {
                if (!walker.TryUInt16(out var extensionType) || !walker.TryUInt16(out var extensionLength) || !walker.TrySlice(extensionLength, out var extension))
                {
                    return CertificateKeyPreference.Unknown;
                }

                var content = new Reader(extension);
                switch (extensionType)
                {
                    case SignatureAlgorithmsExtension:
                        if (!content.TryUInt16(out var listLength) || listLength % 2 != 0 || !content.TrySlice(listLength, out signatureAlgorithms))
                        {
                            return CertificateKeyPreference.Unknown;
                        }

                        hasSignatureAlgorithms = true;
                        break;
                    case SupportedVersionsExtension:
                        if (!content.TryByte(out var versionsLength) || versionsLength % 2 != 0 || !content.TrySlice(versionsLength, out var versions))
                        {
                            return CertificateKeyPreference.Unknown;
                        }

                        offersTls13 = Contains(versions, Tls13);
                        break;
                }
            }
        }

        offersIntermediateSuite = offersTls13 || OffersEcdheAesGcm(suites);
        return offersTls13 ? ForTls13(hasSignatureAlgorithms, signatureAlgorithms) : ForTls12(suites, hasSignatureAlgorithms, signatureAlgorithms);
    }

    /// <summary>TLS 1.3 (the edge's choice whenever the client offers it): the certificate's key must sign with a scheme the client lists.</summary>
    private static CertificateKeyPreference ForTls13(bool hasSignatureAlgorithms, ReadOnlySpan<byte> schemes)
    {
        if (!hasSignatureAlgorithms)
        {
            return CertificateKeyPreference.Unknown; // required by TLS 1.3 for certificate authentication
        }

        var ecdsa = false;
        var rsa = false;
        for (var i = 0; i + 1 < schemes.Length; i += 2)
        {
            ecdsa |= IsEcdsaScheme(schemes[i], schemes[i + 1]);
            rsa |= IsRsaPssRsaeScheme(schemes[i], schemes[i + 1]); // PKCS#1 v1.5 cannot sign a TLS 1.3 handshake
        }

        return Decide(ecdsa, rsa);
    }

    /// <summary>TLS 1.2: an ECDHE suite for the key type, and (when the client lists signature algorithms) one for that key type.</summary>
    private static CertificateKeyPreference ForTls12(ReadOnlySpan<byte> suites, bool hasSignatureAlgorithms, ReadOnlySpan<byte> schemes)
    {
        var ecdsaSuite = false;
        var rsaSuite = false;
        for (var i = 0; i + 1 < suites.Length; i += 2)
        {
            var suite = (ushort)((suites[i] << 8) | suites[i + 1]);
            ecdsaSuite |= suite is 0xC02B or 0xC02C or 0xCCA9; // ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305
            rsaSuite |= suite is 0xC02F or 0xC030 or 0xCCA8; // ECDHE-RSA likewise
        }

        // Without the extension a TLS 1.2 client accepts SHA-1 with the suite's key type (RFC 5246 §7.4.1.4.1).
        var ecdsaSignature = !hasSignatureAlgorithms;
        var rsaSignature = !hasSignatureAlgorithms;
        for (var i = 0; i + 1 < schemes.Length; i += 2)
        {
            ecdsaSignature |= IsEcdsaScheme(schemes[i], schemes[i + 1]);
            rsaSignature |= IsRsaPssRsaeScheme(schemes[i], schemes[i + 1]) || (schemes[i + 1] == 1 && schemes[i] is >= 2 and <= 6);
        }

        return Decide(ecdsaSuite && ecdsaSignature, rsaSuite && rsaSignature);
    }

    /// <summary>ECDHE-ECDSA or ECDHE-RSA with AES-128/256-GCM: the TLS 1.2 suites of Kong's intermediate list that .NET's TLS server offers.</summary>
    private static bool OffersEcdheAesGcm(ReadOnlySpan<byte> suites)
    {
        for (var i = 0; i + 1 < suites.Length; i += 2)
        {
            if (suites[i] == 0xC0 && suites[i + 1] is 0x2B or 0x2C or 0x2F or 0x30)
            {
                return true;
            }
        }

        return false;
    }

    private static CertificateKeyPreference Decide(bool ecdsa, bool rsa) =>
        ecdsa ? CertificateKeyPreference.Ecdsa : rsa ? CertificateKeyPreference.Rsa : CertificateKeyPreference.Unknown;

    /// <summary>ecdsa_sha1 and ecdsa_secp256r1_sha256 … ecdsa_secp521r1_sha512 (in TLS 1.2 terms: SHA-1…SHA-512 with ECDSA).</summary>
    private static bool IsEcdsaScheme(byte hash, byte signature) => signature == 3 && hash is >= 2 and <= 6;

    /// <summary>rsa_pss_rsae_sha256/384/512: RSA-PSS with an ordinary RSA key.</summary>
    private static bool IsRsaPssRsaeScheme(byte high, byte low) => high == 8 && low is >= 4 and <= 6;

    private static bool Contains(ReadOnlySpan<byte> versions, ushort version)
    {
        for (var i = 0; i + 1 < versions.Length; i += 2)
        {
            if (((versions[i] << 8) | versions[i + 1]) == version)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A cursor over a span whose every read checks what is left.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly int Remaining => _rest.Length;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_rest.IsEmpty)
            {
                return false;
            }

            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        public bool TryUInt16(out int value)
        {
            value = 0;
            if (_rest.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_rest);
            _rest = _rest[2..];
            return true;
        }

        public bool TryUInt24(out int value)
        {
            value = 0;
            if (_rest.Length < 3)
            {
                return false;
            }

            value = (_rest[0] << 16) | (_rest[1] << 8) | _rest[2];
            _rest = _rest[3..];
            return true;
        }

        public bool TrySlice(int length, out ReadOnlySpan<byte> slice)
        {
            slice = default;
            if (length < 0 || length > _rest.Length)
            {
                return false;
            }

            slice = _rest[..length];
            _rest = _rest[length..];
            return true;
        }

        public bool TrySkip(int length) => TrySlice(length, out _);
    }
}
