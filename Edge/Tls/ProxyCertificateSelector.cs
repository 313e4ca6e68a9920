using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Turnpike.Edge.RouteTable;

namespace Turnpike.Edge.Tls;

/// <summary>
/// Chooses the certificate of each TLS handshake on the proxy listener: the SNI name's certificate from the current
/// route table snapshot (exact, then wildcard), else the listener's default certificate from files, else none —
/// the handshake fails and the connection closes. Of a certificate with a <c>cert_alt</c> pair, the pair the client's
/// ClientHello accepts (<see cref="ClientHelloPeek"/>). A lookup on an immutable snapshot: a certificate added through any
/// edge's admin API is served by the next handshake after the edge applies it, with no restart and no connection dropped.
/// </summary>
internal sealed class ProxyCertificateSelector(RouteTableStore store, ServedCertificate? fallback)
{
    public ValueTask<SslServerAuthenticationOptions> SelectAsync(TlsHandshakeCallbackContext context)
    {
        var name = context.ClientHelloInfo.ServerName;
        var served = store.Current.Certificates.ForServerName(name) ?? fallback
            ?? throw new AuthenticationException($"No certificate for server name '{name}' and no default certificate (Turnpike:Proxy:Certificate)");
        return ValueTask.FromResult(served.ServerOptionsFor(ClientHelloPeek.PreferenceOf(context.Connection)));
    }
}
