using Orleans.Runtime;
using Turnpike.Hosting;
using Turnpike.Silo.Metrics;
using Turnpike.Silo.Regions;

// A silo: hosts the grains. Its status listener answers /healthz for load balancers and orchestrators, and
// /metrics for Prometheus.
WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(TurnpikeHostStart.Arguments(args));
    builder.Services.AddSingleton<SiloMetricsRegistry>();
    builder.UseOrleans(silo => silo.UseTurnpikeSilo(builder.Configuration).AddIncomingGrainCallFilter<GrainCallMetrics>());
    builder.AddTurnpikeRegions(builder.Configuration["Turnpike:Status:Urls"] ?? "http://127.0.0.1:8200");

    app = builder.Build();
    app.UseTurnpikeRegions();
    app.MapGet("/metrics", app.Services.GetRequiredService<SiloMetricsRegistry>().WriteAsync);
    app.MapGet("/healthz", (ILocalSiloDetails silo) => Results.Json(new { status = "ok", silo = silo.SiloAddress.ToString(), cluster = silo.ClusterId }));

    // Which silo holds the route table's activation (none: not active): for operators and the fleet benchmark, which
    // kills that silo. A directory lookup, not an activation.
    app.MapGet("/status/route-table", async (IGrainFactory grains, ILocalSiloDetails silo) =>
    {
        var holder = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<Turnpike.RouteTable.IRouteTableGrain>(Turnpike.RouteTable.IRouteTableGrain.DefaultKey));
        return Results.Json(new { silo = holder?.ToString(), here = holder is not null && holder.Equals(silo.SiloAddress) });
    });
    await app.StartAsync();
}
catch (ConfigurationProblemException ex)
{
    await Console.Error.WriteLineAsync("turnpike silo: " + ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // A setting checked at start (ValidateOnStart): the failures name their keys, as on the edge.
    await Console.Error.WriteLineAsync("turnpike silo: " + string.Join(" ", ex.Failures));
    return 2;
}
catch (Exception ex) when (TurnpikeHostStart.ResourceProblem(ex) is { } problem)
{
    // A port in use, a per-user limit reached: one line, as the edge says it.
    await Console.Error.WriteLineAsync("turnpike silo: could not start: " + problem);
    return 2;
}

await app.WaitForShutdownAsync();
return 0;
