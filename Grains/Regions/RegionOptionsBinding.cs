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

    public static IServiceCollection AddTurnpikeRegionOptions(this IServiceCollection services, RegionOptionsValidator validator)
    {
        services.AddOptions<RegionOptions>().Configure<IConfiguration>((options, configuration) => Bind(configuration, options)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegionOptions>>(validator);
        return services;
    }

    private static void Bind(IConfiguration configuration, RegionOptions options)
    {
        configuration.GetSection(RegionOptions.Section).Bind(options);
        options.Name = configuration[RegionOptions.NameKey] ?? RegionOptions.DefaultName;
    }
}
