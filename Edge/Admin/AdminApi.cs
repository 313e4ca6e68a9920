using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Certificates;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Admin.LegacyApis;
using Turnpike.Edge.Billing;
using Turnpike.Edge.Status;

namespace Turnpike.Edge.Admin;

/// <summary>The admin API's routes, in Kong 3.x's shapes.</summary>
internal static class AdminApi
{
    private static readonly string[] ItemMethods = ["GET", "PUT", "PATCH", "DELETE"];
    private static readonly string[] ListMethods = ["GET", "POST"];

    public static void MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var status = endpoints.ServiceProvider.GetRequiredService<StatusEndpoints>();
        endpoints.MapGet("/", endpoints.ServiceProvider.GetRequiredService<NodeInfoEndpoint>().GetAsync);
        endpoints.MapGet("/status", status.StatusAsync);
        endpoints.MapGet("/clustering/data-planes", status.DataPlanesAsync);
        endpoints.MapGet("/clustering/silos", endpoints.ServiceProvider.GetRequiredService<SiloListEndpoint>().ListAsync);

        MapEntity(endpoints, "/services", "service", EntityKind.Service, null);
        MapEntity(endpoints, "/services/{service}/routes", "route", EntityKind.Route, EntityScope.Service);
        MapEntity(endpoints, "/services/{service}/plugins", "plugin", EntityKind.Plugin, EntityScope.Service);
        MapEntity(endpoints, "/routes", "route", EntityKind.Route, null);
        MapEntity(endpoints, "/routes/{route}/plugins", "plugin", EntityKind.Plugin, EntityScope.Route);
        MapEntity(endpoints, "/plugins", "plugin", EntityKind.Plugin, null);
        MapEntity(endpoints, "/consumers", "consumer", EntityKind.Consumer, null);
        MapEntity(endpoints, "/consumers/{consumer}/plugins", "plugin", EntityKind.Plugin, EntityScope.Consumer);
        foreach (var credential in endpoints.ServiceProvider.GetRequiredService<Schemas.EntitySchemas>().Credentials)
        {
            // Every credential kind a plugin brings, under its consumer and across consumers (Kong's /consumers/{c}/key-auth, /key-auths).
            MapEntity(endpoints, $"/consumers/{{consumer}}/{credential.ConsumerPath}", "credential", credential.Kind, EntityScope.Consumer);
            MapEntity(endpoints, $"/{credential.CollectionPath}", "credential", credential.Kind, null);
        }

        MapEntity(endpoints, "/upstreams", "upstream", EntityKind.Upstream, null);
        MapEntity(endpoints, "/upstreams/{upstream}/targets", "target", EntityKind.Target, EntityScope.Upstream);
        CertificateEndpoints.Map(endpoints);
        MapEntity(endpoints, "/certificates/{certificate}/snis", "sni", EntityKind.Sni, EntityScope.Certificate);
        MapEntity(endpoints, "/snis", "sni", EntityKind.Sni, null);
        MapEntity(endpoints, "/ca_certificates", "ca_certificate", EntityKind.CaCertificate, null);
        var entities = endpoints.ServiceProvider.GetRequiredService<EntityEndpoints>();
        endpoints.MapGet("/upstreams/{upstream}/health", endpoints.ServiceProvider.GetRequiredService<Upstreams.UpstreamHealthEndpoints>().HealthAsync);
        endpoints.MapGet("/upstreams/{upstream}/targets/all", context => entities.ListAsync(context, EntityKind.Target, EntityScope.Upstream));
        var targetHealth = endpoints.ServiceProvider.GetRequiredService<Upstreams.TargetHealthEndpoints>();
        foreach (var (verdict, healthy) in new[] { ("healthy", true), ("unhealthy", false) })
        {
            // Kong 3 takes PUT; Kong 2's clients sent POST.
            endpoints.MapMethods($"/upstreams/{{upstream}}/targets/{{target}}/{verdict}", ["PUT", "POST"], context => targetHealth.SetAsync(context, healthy));
            endpoints.MapMethods($"/upstreams/{{upstream}}/targets/{{target}}/{{address}}/{verdict}", ["PUT", "POST"], context => targetHealth.SetAsync(context, healthy));
        }

        ForeignEntityEndpoints.Map(endpoints);

        var plugins = endpoints.ServiceProvider.GetRequiredService<Plugins.PluginRegistry>();
        endpoints.MapGet("/plugins/enabled", context => AdminJson.WriteAsync(context, StatusCodes.Status200OK,
            new System.Text.Json.Nodes.JsonObject { ["enabled_plugins"] = new System.Text.Json.Nodes.JsonArray([.. plugins.All.Select(p => (System.Text.Json.Nodes.JsonNode?)p.Name)]) }));
        var tags = endpoints.ServiceProvider.GetRequiredService<TagEndpoints>();
        endpoints.MapGet("/tags", tags.ListAllAsync);
        endpoints.MapGet("/tags/{tag}", tags.ListOneAsync);

        var schemas = endpoints.ServiceProvider.GetRequiredService<Schemas.SchemaEndpoints>();
        endpoints.MapGet("/schemas/plugins/{name}", schemas.GetPluginAsync);
        endpoints.MapPost("/schemas/plugins/validate", schemas.ValidatePluginAsync);
        endpoints.MapGet("/schemas/{entity}", schemas.GetEntityAsync);
        endpoints.MapPost("/schemas/{entity}/validate", schemas.ValidateEntityAsync);

        var apis = endpoints.ServiceProvider.GetRequiredService<ApisEndpoints>();
        endpoints.MapGet("/apis", apis.ListAsync);
        endpoints.MapPost("/apis", apis.CreateAsync);
        endpoints.MapGet("/apis/{api}", context => apis.GetAsync(context, Key(context, "api")));
        endpoints.MapDelete("/apis/{api}", context => apis.DeleteAsync(context, Key(context, "api")));

        var config = endpoints.ServiceProvider.GetRequiredService<ConfigEndpoints>();
        var billing = endpoints.ServiceProvider.GetRequiredService<BillingEndpoints>();
        endpoints.MapGet("/billing/usage", billing.UsageAsync);
        endpoints.MapGet("/billing/export", billing.ExportAsync);
        endpoints.MapGet("/billing/prices", billing.ListPricesAsync);
        endpoints.MapPut("/billing/prices/{consumer}", billing.PutPriceAsync);
        endpoints.MapDelete("/billing/prices/{consumer}", billing.DeletePriceAsync);
        endpoints.MapGet("/billing/budgets/{plugin}/{identity}", endpoints.ServiceProvider.GetRequiredService<Plugins.AiBudget.AiBudgetEndpoints>().GetAsync);

        var regions = endpoints.ServiceProvider.GetRequiredService<Turnpike.Edge.Regions.RegionEndpoints>();
        endpoints.MapGet("/regions", regions.ListAsync);
        endpoints.MapPost("/regions/home", regions.MoveHomeAsync);

        endpoints.MapGet("/config", config.ExportAsync);
        endpoints.MapPost("/config", config.ReplaceAsync);

        AdminAccountEndpoints.Map(endpoints);
        Plugins.ProxyCache.ProxyCacheEndpoints.Map(endpoints);
        Plugins.OAuth2.OAuth2TokenEndpoints.Map(endpoints);
    }

    private static void MapEntity(IEndpointRouteBuilder endpoints, string collection, string itemParameter, EntityKind kind, EntityScope? scope)
    {
        var entities = endpoints.ServiceProvider.GetRequiredService<EntityEndpoints>();
        endpoints.MapMethods(collection, ListMethods, context => context.Request.Method == "GET"
            ? entities.ListAsync(context, kind, scope)
            : entities.CreateAsync(context, kind, scope));
        endpoints.MapMethods($"{collection}/{{{itemParameter}}}", ItemMethods, context =>
        {
            var key = Key(context, itemParameter);
            return context.Request.Method switch
            {
                "GET" => entities.GetAsync(context, kind, key, scope),
                "PUT" => entities.PutAsync(context, kind, key, scope),
                "PATCH" => entities.PatchAsync(context, kind, key, scope),
                _ => entities.DeleteAsync(context, kind, key, scope),
            };
        });
    }

    private static string Key(HttpContext context, string parameter) => (string)context.Request.RouteValues[parameter]!;
}
