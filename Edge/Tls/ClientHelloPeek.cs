using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Turnpike.Edge.Tls;

/// <summary>
/// A connection middleware placed before TLS on the proxy's <c>https://</c> listeners: it looks at the client's first
/// TLS record without consuming it (the TLS stack then reads the same bytes) and, from <see cref="ClientHelloParser"/>,
/// closes a client that offers none of Kong's intermediate cipher suites (a CBC-only TLS 1.2 client, which could
/// otherwise get HTTP/2 over a suite RFC 7540 forbids), and notes in the connection's items which key type of
/// certificate the client accepts, for <see cref="ProxyCertificateSelector"/> to choose between a certificate's pair
/// and its <c>cert_alt</c> pair. A client that has not sent its first record within the handshake timeout is closed,
/// as the handshake would be.
/// </summary>
internal sealed class ClientHelloPeek(TimeSpan timeout)
{
    private static readonly object ItemKey = typeof(CertificateKeyPreference);
    private static readonly object[] Boxed = [CertificateKeyPreference.Unknown, CertificateKeyPreference.Ecdsa, CertificateKeyPreference.Rsa];

    /// <summary>What the peek found for <paramref name="connection"/>; Unknown when it did not run.</summary>
    public static CertificateKeyPreference PreferenceOf(ConnectionContext connection) =>
        connection.Items.TryGetValue(ItemKey, out var preference) && preference is CertificateKeyPreference known ? known : CertificateKeyPreference.Unknown;

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        using var deadline = new CancellationTokenSource(timeout);
        ClientHelloPeekResult? peeked;
        try
        {
            peeked = await PeekAsync(connection.Transport.Input, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return; // a client that sends no ClientHello in time gets what a stalled handshake gets: closed
        }

        // Closed early, or no suite of the intermediate list offered: closed, as a handshake without a common suite ends.
        if (peeked is { OffersIntermediateSuite: true } hello)
        {
            connection.Items[ItemKey] = Boxed[(int)hello.Preference];
            await next(connection);
        }
    };

    /// <summary>What the first record says once it is in; null when the client closed before sending it.</summary>
    internal static async Task<ClientHelloPeekResult?> PeekAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var parse = Parse(buffer, out var preference, out var offersIntermediateSuite);
            if (parse == ClientHelloParse.Done)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed, nothing examined: the TLS stack reads it all again
                return new ClientHelloPeekResult(preference, offersIntermediateSuite);
            }

            // Everything examined, so the next read waits for more bytes; at most one record's worth is ever waited for.
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private static ClientHelloParse Parse(ReadOnlySequence<byte> buffer, out CertificateKeyPreference preference, out bool offersIntermediateSuite)
    {
        if (buffer.IsSingleSegment)
        {
            return ClientHelloParser.Parse(buffer.FirstSpan, out preference, out offersIntermediateSuite);
        }

        var length = (int)Math.Min(buffer.Length, ClientHelloParser.MaxBytesNeeded);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(copy);
            return ClientHelloParser.Parse(copy.AsSpan(0, length), out preference, out offersIntermediateSuite);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}

/// <summary>What a peeked ClientHello says: the certificate key type the client accepts, and whether it offers a suite the edge accepts.</summary>
internal readonly record struct ClientHelloPeekResult(CertificateKeyPreference Preference, bool OffersIntermediateSuite);
