using System.Net;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// Kong's <c>PUT /upstreams/{upstream}/targets/{target}[/{address}]/healthy|unhealthy</c> (204): an admin's verdict on a
/// target, or on one resolved address of it, for every edge. It travels in the route table with the target
/// (<see cref="TargetHealthOverride"/>), so every edge applies it with the next table version, once; the health checks
/// then go on as before (an active probe can bring an unhealthy target back, as in Kong). An upstream with no health
/// checks has nothing to set: 400, as Kong's "no healthchecker found".
/// </summary>
internal sealed class TargetHealthEndpoints(RouteTableClient table, EntitySchemas schemas)
{
    /// <summary>Verdicts kept per target; an admin naming ever new addresses drops the oldest rather than growing the table.</summary>
    public const int MaxOverridesPerTarget = 32;

    public async Task SetAsync(HttpContext context, bool healthy)
    {
        var values = context.Request.RouteValues;
        if (await table.Find(EntityKind.Upstream, (string)values["upstream"]!) is not UpstreamEntity upstream)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var key = schemas.For(EntityKind.Target).LookupKey((string)values["target"]!, upstream.Id);
        if (await table.Find(EntityKind.Target, key) is not TargetEntity target || target.UpstreamId != upstream.Id)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        string? address = null;
        if (values.TryGetValue("address", out var given))
        {
            if (!IPEndPoint.TryParse((string)given!, out var endpoint) || endpoint.Port == 0)
            {
                await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, "invalid address: expected ip:port");
                return;
            }

            address = endpoint.ToString();
        }

        var settings = upstream.Healthchecks is { } json ? HealthCheckSettings.Parse(json) : null;
        if (settings is null || !(settings.ActiveOn || settings.PassiveOn))
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, $"no healthchecker found for upstream '{upstream.Name}'");
            return;
        }

        TargetHealthOverride[] overrides =
        [
            .. (target.HealthOverrides ?? []).Where(o => !string.Equals(o.Address, address, StringComparison.OrdinalIgnoreCase)),
            new TargetHealthOverride { Id = Guid.NewGuid(), Address = address, Healthy = healthy },
        ];
        var result = await table.Write(RouteTableWrite.Upsert(target with { HealthOverrides = overrides[^Math.Min(overrides.Length, MaxOverridesPerTarget)..] }));
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status204NoContent, null);
    }
}
