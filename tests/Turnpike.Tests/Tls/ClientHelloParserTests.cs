using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;
using Turnpike.Edge.Tls;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>
/// The ClientHello reader that chooses between a certificate's RSA and ECDSA pairs: real ClientHellos from .NET's TLS
/// client (captured from an in-memory stream, no socket), hand-built ones for what .NET cannot be told to send, and
/// hostile bytes — truncated, lying lengths, oversized, random — none of which may throw or be waited on past one record.
/// </summary>
[Fast]
[UnsupportedOSPlatform("windows")] // CipherSuitesPolicy narrows the captured client's suites
public sealed class ClientHelloParserTests
{
    /// <summary>The first bytes an <see cref="SslStream"/> client writes: its ClientHello record.</summary>
    internal static async Task<byte[]> DotNetClientHelloAsync(SslProtocols protocols, params TlsCipherSuite[] suites)
    {
        var capture = new FirstWriteStream();
        await using var tls = new SslStream(capture);
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "alt.test",
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = suites.Length == 0 ? null : new CipherSuitesPolicy(suites),
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        }));
        Assert.NotNull(capture.Written);
        return capture.Written!;
    }

    /// <summary>A ClientHello record built by hand: GREASE and a server name among the extensions, as browsers send them.</summary>
    private static byte[] ClientHello(ushort[] suites, ushort[]? signatureAlgorithms, ushort[]? versions)
    {
        var extensions = new List<byte>();
        void Extension(ushort type, byte[] content)
        {
            extensions.AddRange([(byte)(type >> 8), (byte)type, (byte)(content.Length >> 8), (byte)content.Length]);
            extensions.AddRange(content);
        }

        Extension(0x0A0A, []); // GREASE
        var name = "alt.test"u8.ToArray();
        Extension(0, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);
        if (versions is not null)
        {
            Extension(43, [(byte)(versions.Length * 2), .. versions.SelectMany(U16)]);
        }

        if (signatureAlgorithms is not null)
        {
            Extension(13, [.. U16(signatureAlgorithms.Length * 2), .. signatureAlgorithms.SelectMany(U16)]);
        }

        byte[] body = [3, 3, .. new byte[32], 32, .. new byte[32], .. U16(suites.Length * 2), .. suites.SelectMany(U16), 1, 0, .. U16(extensions.Count), .. extensions];
        byte[] handshake = [1, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
        return [22, 3, 1, .. U16(handshake.Length), .. handshake];
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    private static byte[] U16(ushort value) => U16((int)value);

    private static CertificateKeyPreference Parsed(byte[] record)
    {
        Assert.Equal(ClientHelloParse.Done, ClientHelloParser.Parse(record, out var preference));
        return preference;
    }

    private const ushort EcdheEcdsaAes128Gcm = 0xC02B, EcdheRsaAes128Gcm = 0xC02F, Aes128GcmTls13 = 0x1301;
    private const ushort EcdsaP256Sha256 = 0x0403, RsaPssRsaeSha256 = 0x0804, RsaPkcs1Sha256 = 0x0401;

    [Fact]
    public async Task DotNet_tls13_client_accepts_ecdsa()
    {
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed(await DotNetClientHelloAsync(SslProtocols.Tls13)));
    }

    [Fact]
    public async Task DotNet_tls12_client_with_ecdhe_rsa_suites_only_gets_rsa_and_with_ecdsa_suites_ecdsa()
    {
        Assert.Equal(CertificateKeyPreference.Rsa, Parsed(await DotNetClientHelloAsync(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)));
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed(await DotNetClientHelloAsync(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)));
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed(await DotNetClientHelloAsync(SslProtocols.Tls12)));
    }

    [Fact]
    public void Tls13_client_listing_only_rsa_pss_gets_rsa()
    {
        Assert.Equal(CertificateKeyPreference.Rsa, Parsed(ClientHello([Aes128GcmTls13, EcdheEcdsaAes128Gcm], [RsaPssRsaeSha256], [0x0304, 0x0303])));
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed(ClientHello([Aes128GcmTls13], [RsaPssRsaeSha256, EcdsaP256Sha256], [0x0304])));
    }

    [Fact]
    public void Tls13_pkcs1_only_or_no_signature_algorithms_decides_nothing()
    {
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed(ClientHello([Aes128GcmTls13], [RsaPkcs1Sha256], [0x0304])));
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed(ClientHello([Aes128GcmTls13], null, [0x0304])));
    }

    [Fact]
    public void Tls12_needs_a_suite_and_a_signature_algorithm_of_the_key_type()
    {
        Assert.Equal(CertificateKeyPreference.Rsa, Parsed(ClientHello([EcdheEcdsaAes128Gcm, EcdheRsaAes128Gcm], [RsaPkcs1Sha256], null)));
        Assert.Equal(CertificateKeyPreference.Rsa, Parsed(ClientHello([EcdheRsaAes128Gcm], [EcdsaP256Sha256, RsaPkcs1Sha256], [0x0303])));
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed(ClientHello([EcdheEcdsaAes128Gcm], null, null))); // no extension: SHA-1 with the suite's key
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed(ClientHello([0xC023], [EcdsaP256Sha256], null))); // a CBC suite the edge does not offer
    }

    [Fact]
    public async Task A_client_offering_only_cbc_suites_offers_no_intermediate_suite()
    {
        bool Offers(byte[] record) => ClientHelloParser.Parse(record, out _, out var offers) == ClientHelloParse.Done && offers;
        Assert.False(Offers(ClientHello([0xC023, 0xC027, 0xC009], [EcdsaP256Sha256], [0x0303]))); // ECDHE with CBC only
        Assert.False(Offers(ClientHello([0xCCA9], [EcdsaP256Sha256], null))); // ChaCha20 alone: .NET's TLS 1.2 has none
        Assert.True(Offers(ClientHello([0xC023, EcdheRsaAes128Gcm], [RsaPkcs1Sha256], null)));
        Assert.True(Offers(ClientHello([0xC023, Aes128GcmTls13], [EcdsaP256Sha256], [0x0304, 0x0303]))); // TLS 1.3: every suite is AEAD
        Assert.True(Offers(await DotNetClientHelloAsync(SslProtocols.Tls12)));
        Assert.True(Offers([22, 3, 1, 0, 4, 2, 0, 0, 0])); // not a ClientHello: the TLS stack decides, as before
    }

    [Fact]
    public async Task A_partial_record_needs_more_data_and_every_prefix_is_safe()
    {
        var hello = await DotNetClientHelloAsync(SslProtocols.Tls13);
        for (var length = 0; length < hello.Length; length++)
        {
            Assert.Equal(ClientHelloParse.NeedMoreData, ClientHelloParser.Parse(hello.AsSpan(0, length), out _));
        }

        // More than the record (the client's next bytes) changes nothing.
        Assert.Equal(CertificateKeyPreference.Ecdsa, Parsed([.. hello, 23, 3, 3, 0, 5]));
    }

    [Fact]
    public async Task Lying_lengths_inside_the_record_give_unknown_never_an_exception()
    {
        var hello = await DotNetClientHelloAsync(SslProtocols.Tls13);
        var random = new Random(17);
        for (var i = 0; i < 5_000; i++)
        {
            var mutated = (byte[])hello.Clone();
            mutated[5 + random.Next(mutated.Length - 5)] = (byte)random.Next(256); // inside the record: the header stays true
            Assert.Equal(ClientHelloParse.Done, ClientHelloParser.Parse(mutated, out _));
        }

        var lying = (byte[])hello.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(5 + 4 + 2 + 32 + 1 + lying[5 + 4 + 2 + 32]), 0xFFFE); // cipher suites longer than the record
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed(lying));
    }

    [Fact]
    public void Records_that_are_not_a_client_hello_are_done_at_once()
    {
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed("GET / HTTP/1.1\r\n"u8.ToArray()));
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed([22, 3, 1, 0x40, 0x01])); // 16 KiB + 1: longer than TLS allows, not waited for
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed([22, 2, 0, 0, 0])); // SSL 2 version
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed([22, 3, 1, 0, 4, 2, 0, 0, 0])); // a ServerHello
        Assert.Equal(CertificateKeyPreference.Unknown, Parsed([22, 3, 1, 0, 0]));
        Assert.Equal(ClientHelloParse.NeedMoreData, ClientHelloParser.Parse([22, 3, 1, 0x40, 0x00], out _)); // exactly 16 KiB: waited for
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_need_more_than_one_record()
    {
        var random = new Random(42);
        var buffer = new byte[ClientHelloParser.MaxBytesNeeded];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(buffer);
            if (i % 2 == 0)
            {
                buffer[0] = 22; // a handshake record with random content
                buffer[1] = 3;
            }

            // A full record's worth of bytes always decides; a shorter random prefix may wait, never throw.
            Assert.Equal(ClientHelloParse.Done, ClientHelloParser.Parse(buffer, out _));
            ClientHelloParser.Parse(buffer.AsSpan(0, random.Next(64)), out _);
        }
    }

    [Fact]
    public async Task Peek_reads_the_hello_arriving_in_pieces_and_consumes_nothing()
    {
        var hello = await DotNetClientHelloAsync(SslProtocols.Tls13);
        var pipe = new Pipe();
        var peek = ClientHelloPeek.PeekAsync(pipe.Reader, CancellationToken.None);
        await pipe.Writer.WriteAsync(hello.AsMemory(0, 3));
        await pipe.Writer.WriteAsync(hello.AsMemory(3, 100));
        Assert.False(peek.IsCompleted);
        await pipe.Writer.WriteAsync(hello.AsMemory(103));

        Assert.Equal(new ClientHelloPeekResult(CertificateKeyPreference.Ecdsa, OffersIntermediateSuite: true), await peek);
        var read = await pipe.Reader.ReadAsync();
        Assert.Equal(hello, read.Buffer.ToArray()); // the TLS stack gets every byte
    }

    [Fact]
    public async Task Peek_of_a_client_that_closes_early_is_null()
    {
        var pipe = new Pipe();
        var peek = ClientHelloPeek.PeekAsync(pipe.Reader, CancellationToken.None);
        await pipe.Writer.WriteAsync(new byte[] { 22, 3, 1, 1, 0 });
        await pipe.Writer.CompleteAsync();
        Assert.Null(await peek);
    }

    /// <summary>Keeps the first write (the ClientHello) and ends the handshake there: reads fail.</summary>
    private sealed class FirstWriteStream : Stream
    {
        public byte[]? Written { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("captured");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("captured");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new IOException("captured");

        public override void Write(byte[] buffer, int offset, int count) => Written ??= buffer.AsSpan(offset, count).ToArray();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written ??= buffer.ToArray();
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
