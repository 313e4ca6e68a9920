using Microsoft.Extensions.Options;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Metering;

/// <summary>
/// Metering's hook before the access phase: a request body of unknown length (chunked HTTP/1.1, HTTP/2 streams such
/// as gRPC calls) is counted as it passes, so its bytes in are exact; a body with a Content-Length is metered by it.
/// </summary>
internal sealed class MeteringBodyCount(IOptions<MeteringOptions> options) : IRequestBeginPhase
{
    private readonly bool _enabled = options.Value.Enabled;

    public void OnBegin(ProxyContext context)
    {
        if (_enabled)
        {
            context.CountRequestBody();
        }
    }
}
