using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Tls;

/// <summary>
/// A connection middleware placed before TLS on the proxy's <c>https://</c> listeners: it looks at the client's first
/// TLS record without consuming it (the TLS stack then reads the same bytes), and notes in the connection's items
/// which key type of certificate the client accepts (<see cref="ClientHelloParser"/>), for
/// <see cref="ProxyCertificateSelector"/> to choose between a certificate's pair and its <c>cert_alt</c> pair.
/// Only while some certificate of the table has an alternative pair: otherwise it is not on the path at all. A
/// client that has not sent its first record within the handshake timeout is closed, as the handshake would be.
/// </summary>
internal sealed class ClientHelloPeek(RouteTableStore store, TimeSpan timeout)
{
    private static readonly object ItemKey = typeof(CertificateKeyPreference);
    private static readonly object[] Boxed = [CertificateKeyPreference.Unknown, CertificateKeyPreference.Ecdsa, CertificateKeyPreference.Rsa];

    /// <summary>What the peek found for <paramref name="connection"/>; Unknown when it did not run.</summary>
    public static CertificateKeyPreference PreferenceOf(ConnectionContext connection) =>
        connection.Items.TryGetValue(ItemKey, out var preference) && preference is CertificateKeyPreference known ? known : CertificateKeyPreference.Unknown;

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        if (!store.Current.Certificates.HasAlternatives)
        {
            await next(connection);
            return;
        }

        using var deadline = new CancellationTokenSource(timeout);
        CertificateKeyPreference? preference;
        try
        {
            preference = await PeekAsync(connection.Transport.Input, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return; // a client that sends no ClientHello in time gets what a stalled handshake gets: closed
        }

        if (preference is { } known)
        {
            connection.Items[ItemKey] = Boxed[(int)known];
            await next(connection);
        }
    };

    /// <summary>The preference once the first record is in; null when the client closed before sending it.</summary>
    internal static async Task<CertificateKeyPreference?> PeekAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var parse = Parse(buffer, out var preference);
            if (parse == ClientHelloParse.Done)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed, nothing examined: the TLS stack reads it all again
                return preference;
            }

            // Everything examined, so the next read waits for more bytes; at most one record's worth is ever waited for.
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private static ClientHelloParse Parse(ReadOnlySequence<byte> buffer, out CertificateKeyPreference preference)
    {
        if (buffer.IsSingleSegment)
        {
            return ClientHelloParser.Parse(buffer.FirstSpan, out preference);
        }

        var length = (int)Math.Min(buffer.Length, ClientHelloParser.MaxBytesNeeded);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(copy);
            return ClientHelloParser.Parse(copy.AsSpan(0, length), out preference);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
