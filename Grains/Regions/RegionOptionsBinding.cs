using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>Binds <see cref="RegionOptions"/> the same way in silos and edges: <c>Turnpike:Regions</c>, and the name from <c>Turnpike:Region</c>.</summary>
public static class RegionOptionsBinding
{
    public static RegionOptions Read(IConfiguration configuration)
    {
        var options = new RegionOptions();
        Bind(configuration, options);
        return options;
    }

    /// <summary>Registers the options, checked at start by the role's validator (<see cref="SiloRegionOptionsValidator"/> or <see cref="EdgeRegionOptionsValidator"/>).</summary>
    public static IServiceCollection AddTurnpikeRegionOptions<TValidator>(this IServiceCollection services)
        where TValidator : class, IValidateOptions<RegionOptions>
    {
        services.AddOptions<RegionOptions>().Configure<IConfiguration>((options, configuration) => Bind(configuration, options)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegionOptions>, TValidator>();
        return services;
    }

    private static void Bind(IConfiguration configuration, RegionOptions options)
    {
        configuration.GetSection(RegionOptions.Section).Bind(options);
        options.Name = configuration[RegionOptions.NameKey] ?? RegionOptions.DefaultName;
    }
}
