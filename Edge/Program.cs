using Microsoft.AspNetCore.Builder;
using Turnpike.Edge.Hosting;
using Turnpike.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(EdgeCommandLine.Normalize(args));
    builder.AddTurnpikeEdge();
    var app = builder.Build();
    app.UseTurnpikeEdge();
    await app.RunAsync();
    return 0;
}
catch (ConfigurationProblemException ex)
{
    await Console.Error.WriteLineAsync("turnpike edge: " + ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // A setting checked at start (ValidateOnStart): the failures name their keys.
    await Console.Error.WriteLineAsync("turnpike edge: " + string.Join(" ", ex.Failures));
    return 2;
}
