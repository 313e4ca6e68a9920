using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin.Certificates;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Kong's generated endpoints for an entity's foreign key, <c>/{entities}/{entity}/{foreign field}</c>, e.g.
/// <c>/routes/{route}/service</c> or <c>/snis/{sni}/certificate</c>: GET reads the entity the key names, PATCH updates
/// it, DELETE is 405 (Kong's answer: the referenced entity is deleted at its own endpoint), and each is 404 when the
/// entity is unknown or its key is null. Kong's PUT here (replace, or create and associate) is not offered: 405.
/// </summary>
internal static class ForeignEntityEndpoints
{
    private static readonly string[] Methods = ["GET", "PATCH", "PUT", "DELETE"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        Map(endpoints, "/routes/{route}/service", EntityKind.Route, "route", e => ((RouteEntity)e).ServiceId, EntityKind.Service);
        Map(endpoints, "/services/{service}/client_certificate", EntityKind.Service, "service", e => ((ServiceEntity)e).ClientCertificateId, EntityKind.Certificate);
        Map(endpoints, "/snis/{sni}/certificate", EntityKind.Sni, "sni", e => ((SniEntity)e).CertificateId, EntityKind.Certificate);
        Map(endpoints, "/plugins/{plugin}/service", EntityKind.Plugin, "plugin", e => ((PluginEntity)e).ServiceId, EntityKind.Service);
        Map(endpoints, "/plugins/{plugin}/route", EntityKind.Plugin, "plugin", e => ((PluginEntity)e).RouteId, EntityKind.Route);
        Map(endpoints, "/plugins/{plugin}/consumer", EntityKind.Plugin, "plugin", e => ((PluginEntity)e).ConsumerId, EntityKind.Consumer);
    }

    private static void Map(IEndpointRouteBuilder endpoints, string pattern, EntityKind kind, string parameter, Func<GatewayEntity, Guid?> reference, EntityKind referenced)
    {
        var entities = endpoints.ServiceProvider.GetRequiredService<EntityEndpoints>();
        var certificates = endpoints.ServiceProvider.GetRequiredService<CertificateEndpoints>();
        endpoints.MapMethods(pattern, Methods, async context =>
        {
            var owner = await entities.FindAsync(context, kind, (string)context.Request.RouteValues[parameter]!, null);
            if (owner is null || reference(owner) is not { } id || id == Guid.Empty)
            {
                await AdminJson.NotFoundAsync(context);
                return;
            }

            var key = id.ToString();
            await (context.Request.Method switch
            {
                "GET" when referenced == EntityKind.Certificate => certificates.GetAsync(context, key),
                "GET" => entities.GetAsync(context, referenced, key, null),
                "PATCH" when referenced == EntityKind.Certificate => certificates.PatchAsync(context, key),
                "PATCH" => entities.PatchAsync(context, referenced, key, null),
                _ => AdminJson.MessageAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed"),
            });
        });
    }
}
