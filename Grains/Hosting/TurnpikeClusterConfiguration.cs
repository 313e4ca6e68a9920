using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>What silos and edges share about the cluster: reading and validating its options, membership defaults, the store check.</summary>
public static class TurnpikeClusterConfiguration
{
    /// <summary>Orleans' <see cref="ClusterMembershipOptions"/>, any of whose properties may be set here.</summary>
    public const string MembershipSection = TurnpikeClusterOptions.Section + ":Membership";

    /// <summary>
    /// Reads <c>Turnpike:Cluster</c> for a silo and stops the process with every problem named when it is not usable
    /// (<see cref="SiloClusterOptionsValidator"/>). Read while the host is built, not at start, because the providers it
    /// names decide what gets registered.
    /// </summary>
    public static TurnpikeClusterOptions ReadForSilo(IConfiguration configuration) =>
        new SiloClusterOptionsValidator().ThrowIfInvalid(Bind(configuration), "Invalid silo configuration: ");

    /// <summary>Reads <c>Turnpike:Cluster</c> for an edge (<see cref="ClientClusterOptionsValidator"/>), as <see cref="ReadForSilo"/>.</summary>
    public static TurnpikeClusterOptions ReadForClient(IConfiguration configuration) =>
        new ClientClusterOptionsValidator().ThrowIfInvalid(Bind(configuration), "Invalid cluster configuration: ");

    /// <summary>
    /// Registers the section as options too, checked again at start by the role's validator (the one the section was
    /// read with), for services that ask for it.
    /// </summary>
    public static IServiceCollection AddTurnpikeClusterOptions<TValidator>(this IServiceCollection services)
        where TValidator : class, IValidateOptions<TurnpikeClusterOptions>
    {
        services.AddOptions<TurnpikeClusterOptions>().BindConfiguration(TurnpikeClusterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TurnpikeClusterOptions>, TValidator>();
        return services;
    }

    private static TurnpikeClusterOptions Bind(IConfiguration configuration) =>
        configuration.GetSection(TurnpikeClusterOptions.Section).Get<TurnpikeClusterOptions>() ?? new();

    /// <summary>
    /// Faster failure detection than Orleans' defaults (which take about 30 s to declare a silo dead): a silo that
    /// misses 2 probes of 2 s is suspected, and 2 votes declare it dead. Tuned and measured in
    /// docs/operations.md; <c>Turnpike:Cluster:Membership:*</c> overrides each value.
    /// </summary>
    public static void MembershipDefaults(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 2;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(10);
        // A silo killed with kill -9 stays "active" in the table; a silo that joins ignores it once its
        // I-am-alive is 2 publish periods old, so this bounds how long a full restart waits on the dead.
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        options.DefunctSiloExpiration = TimeSpan.FromHours(1);
    }

    /// <summary>Checks the database or Redis server before Orleans starts, so a wrong setting fails with a message that names it.</summary>
    public static IServiceCollection AddTurnpikeClusterStoreCheck(this IServiceCollection services, TurnpikeClusterOptions options)
    {
        if (options.Uses(ClusteringProviders.AdoNet) || options.Uses(ClusteringProviders.Redis))
        {
            // Registered before Orleans' own hosted service, so it runs first.
            services.Insert(0, ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService>(new ClusterStoreCheck(options)));
        }

        return services;
    }
}
