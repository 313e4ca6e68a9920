using Microsoft.AspNetCore.Builder;
using Turnpike.Edge.Hosting;
using Turnpike.Hosting;

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(TurnpikeHostStart.Arguments(EdgeCommandLine.Normalize(args)));
    builder.AddTurnpikeEdge();
    app = builder.Build();
    app.UseTurnpikeEdge();
    await app.StartAsync();
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
catch (Exception ex) when (TurnpikeHostStart.ResourceProblem(ex) is { } problem)
{
    // A port in use, a per-user limit reached: the machine's problem, said in one line rather than a stack trace.
    await Console.Error.WriteLineAsync("turnpike edge: could not start: " + problem);
    return 2;
}

await app.WaitForShutdownAsync();
return 0;
