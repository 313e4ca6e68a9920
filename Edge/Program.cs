using Microsoft.AspNetCore.Builder;
using Turnpike.Edge.Hosting;

var builder = WebApplication.CreateBuilder(EdgeCommandLine.Normalize(args));
builder.AddTurnpikeEdge();
var app = builder.Build();
app.UseTurnpikeEdge();
await app.RunAsync();
