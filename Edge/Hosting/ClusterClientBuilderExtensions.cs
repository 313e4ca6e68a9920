using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>An edge's connection to the silos (Orleans client), its provider taken from the table silos use (<see cref="ClusterProviders"/>).</summary>
internal static class ClusterClientBuilderExtensions
{
    public static IClientBuilder UseTurnpikeCluster(this IClientBuilder client, IConfiguration configuration)
    {
        var options = TurnpikeClusterConfiguration.ReadForClient(configuration);
        client.Services.AddTurnpikeClusterStoreCheck(options);
        client.Services.AddTurnpikeClusterOptions<ClientClusterOptionsValidator>();
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);

        // Find silos that join (scale-out) within seconds rather than Orleans' default minute.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.GatewayListRefreshPeriod);
        ClusterProviders.ClusteringOf(options).ConfigureClient(client, options);

        // Keep trying: an edge started before its silos waits for them rather than exiting. With back-off and jitter,
        // so a fleet started (or restarted) together does not knock on the silos' gateways in step.
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(backoff.Next(), cancellationToken);
            return true;
        });
        return client;
    }
}
