using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.LegacyApis;

/// <summary>
/// Kong 0.x's <c>/apis</c>, for scripts that still use it: an API is stored as a service and a route of the
/// same name (one atomic write), and read back in the 0.x shape.
/// </summary>
internal sealed class ApisEndpoints(AdminWriter writer, EntitySchemas schemas)
{
    public async Task CreateAsync(HttpContext context)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var errors = new FieldErrors();
        var r = new FieldReader(body.Json, errors, coerce: body.Coerce);
        var name = r.String("name", required: true);
        var upstreamUrl = r.String("upstream_url", required: true);
        var hosts = r.Strings("hosts") ?? (r.String("request_host") is { } requestHost ? [requestHost] : null);
        var uris = r.Strings("uris") ?? (r.String("request_path") is { } requestPath ? [requestPath] : null);
        var methods = r.Strings("methods");
        var strip = r.Boolean("strip_uri") ?? r.Boolean("strip_request_path") ?? true;
        var preserveHost = r.Boolean("preserve_host") ?? false;
        var retries = r.Integer("retries", 0, 32767) ?? 5;
        var connect = r.Integer("upstream_connect_timeout", 1, ServiceSchema.MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs;
        var send = r.Integer("upstream_send_timeout", 1, ServiceSchema.MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs;
        var read = r.Integer("upstream_read_timeout", 1, ServiceSchema.MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs;
        var httpsOnly = r.Boolean("https_only") ?? false;
        r.Boolean("http_if_terminated");
        r.RejectUnknown();
        if (errors.Count == 0 && hosts is not { Length: > 0 } && uris is not { Length: > 0 } && methods is not { Length: > 0 })
        {
            errors.Add("@entity", "at least one of 'hosts', 'uris' or 'methods' must be specified");
        }

        if (errors.Count > 0)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        var serviceJson = new JsonObject
        {
            ["name"] = name,
            ["url"] = upstreamUrl,
            ["retries"] = retries,
            ["connect_timeout"] = connect,
            ["write_timeout"] = send,
            ["read_timeout"] = read,
        };
        var routeJson = new JsonObject
        {
            ["name"] = name,
            ["hosts"] = JsonFields.Array(hosts),
            ["paths"] = JsonFields.Array(uris),
            ["methods"] = JsonFields.Array(methods),
            ["strip_path"] = strip,
            ["preserve_host"] = preserveHost,
            ["protocols"] = httpsOnly ? new JsonArray("https") : new JsonArray("http", "https"),
        };
        var service = (ServiceEntity?)schemas.For(EntityKind.Service).Read(serviceJson, errors, coerce: false);
        var routeErrors = new FieldErrors();
        var route = (RouteEntity?)schemas.For(EntityKind.Route).Read(routeJson, routeErrors, coerce: false);
        if (service is null || route is null)
        {
            // Name the 0.x fields the user sent, not the service and route fields they became.
            var renamed = new FieldErrors();
            foreach (var (field, message) in errors.All.Concat(routeErrors.All))
            {
                renamed.Add(field switch
                {
                    "host" or "url" or "protocol" or "path" or "port" => "upstream_url",
                    var f when f.StartsWith("paths", StringComparison.Ordinal) => "uris" + f[5..],
                    var f => f,
                }, message);
            }

            await AdminJson.ErrorAsync(context, renamed.ToSchemaViolation());
            return;
        }

        service = service with { Id = Guid.NewGuid() };
        route = route with { Id = Guid.NewGuid(), ServiceId = service.Id };
        var result = await writer.Table.Write(new RouteTableWrite { Upserts = [service, route], InsertOnly = true });
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status201Created,
            result.Succeeded ? ToApi((ServiceEntity)result.Stored[0], (RouteEntity)result.Stored[1]) : null);
    }

    public async Task ListAsync(HttpContext context)
    {
        var data = new JsonArray();
        await foreach (var route in writer.Table.ListAll(new EntityQuery { Kind = EntityKind.Route, Size = ListQuery.MaxSize }))
        {
            if (await ApiOfRouteAsync((RouteEntity)route) is { } api)
            {
                data.Add(api);
            }
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["total"] = data.Count, ["data"] = data });
    }

    public async Task GetAsync(HttpContext context, string key)
    {
        var found = await FindAsync(key);
        await (found is { } api ? AdminJson.WriteAsync(context, StatusCodes.Status200OK, ToApi(api.Service, api.Route)) : AdminJson.NotFoundAsync(context));
    }

    public async Task DeleteAsync(HttpContext context, string key)
    {
        if (await FindAsync(key) is not { } api)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var result = await writer.Table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Route, api.Route.Id), new EntityRef(EntityKind.Service, api.Service.Id)));
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status204NoContent, null);
    }

    private async Task<(ServiceEntity Service, RouteEntity Route)?> FindAsync(string key)
    {
        var service = await writer.Table.Find(EntityKind.Service, key) as ServiceEntity;
        if (service?.Name is null || await writer.Table.Find(EntityKind.Route, service.Name) is not RouteEntity route || route.ServiceId != service.Id)
        {
            return null;
        }

        return (service, route);
    }

    private async Task<JsonObject?> ApiOfRouteAsync(RouteEntity route)
    {
        if (route.Name is null || route.ServiceId is not { } serviceId)
        {
            return null;
        }

        return await writer.Table.Find(EntityKind.Service, serviceId.ToString()) is ServiceEntity service && service.Name == route.Name
            ? ToApi(service, route)
            : null;
    }

    private static JsonObject ToApi(ServiceEntity service, RouteEntity route) => new()
    {
        ["id"] = service.Id.ToString(),
        ["name"] = service.Name,
        ["upstream_url"] = $"{service.Protocol}://{service.Host}:{service.Port}{service.Path}",
        ["hosts"] = JsonFields.Array(route.Hosts),
        ["uris"] = JsonFields.Array(route.Paths),
        ["methods"] = JsonFields.Array(route.Methods),
        ["strip_uri"] = route.StripPath,
        ["preserve_host"] = route.PreserveHost,
        ["retries"] = service.Retries,
        ["upstream_connect_timeout"] = service.ConnectTimeout,
        ["upstream_send_timeout"] = service.WriteTimeout,
        ["upstream_read_timeout"] = service.ReadTimeout,
        ["https_only"] = !route.Protocols.Contains("http"),
        ["http_if_terminated"] = false,
        ["created_at"] = service.CreatedAt * 1000,
    };
}
