using Microsoft.Extensions.Options;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Metering;

/// <summary>Meters every request that reached a service (those a plugin answered as rejected), unless metering is off.</summary>
internal sealed class MeteringLog(MeterRecorder meters, IOptions<MeteringOptions> options) : IRequestLogPhase
{
    private readonly bool _enabled = options.Value.Enabled;

    public void OnCompleted(ProxyContext context)
    {
        if (!_enabled)
        {
            return;
        }

        var http = context.HttpContext;
        meters.Record(
            context.Consumer?.Id ?? Guid.Empty,
            context.Service.Entity.Id,
            context.Route.Entity.Id,
            http.Response.StatusCode,
            context.AnsweredByPlugin,
            context.RequestBodyCounter?.Count ?? http.Request.ContentLength ?? 0,
            context.ResponseBodyCounter?.Count ?? http.Response.ContentLength ?? 0,
            context.UpstreamLatencyMs,
            context.MeterCounters);
    }
}
