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
