using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Metering;

internal static class MeteringServiceCollectionExtensions
{
    /// <summary>Usage meters: recorded per request, journaled in batches and flushed to the cluster.</summary>
    public static IServiceCollection AddTurnpikeMetering(this IServiceCollection services)
    {
        services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MeteringOptions>, MeteringOptionsValidator>();
        services.AddSingleton<MeterRecorder>();
        // Metering hooks itself into the request's lifecycle: a count of bodies of unknown length before the access
        // phase, the meters in the log phase (last of its consumers, LogPhaseOrder.Metering).
        services.AddSingleton<Proxy.IRequestBeginPhase, MeteringBodyCount>();
        services.AddSingleton<Proxy.IRequestLogPhase, MeteringLog>();
        // One instance both injected (the recorder hands it batches) and run as the hosted flusher.
        services.AddSingleton<MeterFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<MeterFlusher>());
        return services;
    }
}
