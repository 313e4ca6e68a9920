using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.Syslog;

internal static class SyslogServiceCollectionExtensions
{
    /// <summary>Where the syslog plugin's messages go (<c>Turnpike:Syslog</c>), checked at start.</summary>
    public static IServiceCollection AddTurnpikeSyslog(this IServiceCollection services)
    {
        services.AddOptions<SyslogOptions>().BindConfiguration(SyslogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyslogOptions>, SyslogOptionsValidator>();
        return services;
    }
}
