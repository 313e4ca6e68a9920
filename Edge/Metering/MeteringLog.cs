using Microsoft.Extensions.Options;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Metering;

/// <summary>
/// Meters every request that reached a service, unless metering is off: served when the upstream, an exchange or a
/// cache answered, rejected when a plugin did or the request failed before it was forwarded. Requests the router
/// answered (no route, no service, wrong protocol) are not metered: they reached no service.
/// </summary>
internal sealed class MeteringLog(MeterRecorder meters, IOptions<MeteringOptions> options) : IRequestLogPhase
{
    private readonly bool _enabled = options.Value.Enabled;

    public int Order => LogPhaseOrder.Metering;

    public void OnCompleted(ProxyContext context)
    {
        if (!_enabled || context.AnsweredBy == AnsweredBy.Router || context is not { Service: { } service, Route: { } route })
        {
            return;
        }

        meters.Record(
            context.Consumer?.Id ?? Guid.Empty,
            service.Entity.Id,
            route.Entity.Id,
            context.HttpContext.Response.StatusCode,
            rejected: context.AnsweredBy is AnsweredBy.Plugin or AnsweredBy.Fault,
            context.RequestBodyBytes,
            context.ResponseBodyBytes,
            context.UpstreamLatencyMs,
            context.MeterCounters);
    }
}
