using Orleans.Runtime;
using Turnpike.Hosting;
using Turnpike.Silo.Metrics;

// A silo: hosts the grains. Its status listener answers /healthz for load balancers and orchestrators, and
// /metrics for Prometheus.
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Services.AddSingleton<SiloMetricsRegistry>();
    builder.UseOrleans(silo => silo.UseTurnpikeSilo(builder.Configuration).AddIncomingGrainCallFilter<GrainCallMetrics>());
    builder.WebHost.UseUrls(builder.Configuration["Turnpike:Status:Urls"] ?? "http://127.0.0.1:8200");

    var app = builder.Build();
    app.MapGet("/metrics", app.Services.GetRequiredService<SiloMetricsRegistry>().WriteAsync);
    app.MapGet("/healthz", (ILocalSiloDetails silo) => Results.Json(new { status = "ok", silo = silo.SiloAddress.ToString(), cluster = silo.ClusterId }));
    await app.RunAsync();
    return 0;
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
