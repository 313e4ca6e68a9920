using Orleans.Runtime;
using Turnpike.Hosting;
using Turnpike.Silo.Regions;

// A silo: hosts the grains. Its status listener answers /healthz for load balancers and orchestrators.
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.UseOrleans(silo => silo.UseTurnpikeSilo(builder.Configuration));
    builder.AddTurnpikeRegions(builder.Configuration["Turnpike:Status:Urls"] ?? "http://127.0.0.1:8200");

    var app = builder.Build();
    app.UseTurnpikeRegions();
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
