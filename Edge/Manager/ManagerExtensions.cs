using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Manager;

internal static class ManagerExtensions
{
    /// <summary>Turnpike Manager, the web UI every edge serves at <c>/manager</c> on its admin listener.</summary>
    public static IServiceCollection AddTurnpikeManager(this IServiceCollection services)
    {
        services.AddSingleton<ManagerAssets>();
        services.AddSingleton<ManagerEndpoint>();
        return services;
    }

    /// <summary>Ahead of the admin API's branch: the UI's files are public, the API calls they make are not.</summary>
    public static WebApplication UseTurnpikeManager(this WebApplication app)
    {
        var manager = app.Services.GetRequiredService<ManagerEndpoint>();
        app.MapWhen(
            context => ListenersWebApplicationBuilderExtensions.ListenerOf(context) == ListenerKind.Admin && ManagerEndpoint.Matches(context),
            branch => branch.Run(manager.InvokeAsync));
        return app;
    }
}
