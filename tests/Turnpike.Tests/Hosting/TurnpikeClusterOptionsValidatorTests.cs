using Microsoft.Extensions.Configuration;
using Turnpike.Cluster;
using Turnpike.Hosting;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class TurnpikeClusterOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid_for_silos_and_edges()
    {
        Assert.True(new SiloClusterOptionsValidator().Validate(null, new TurnpikeClusterOptions()).Succeeded);
        Assert.True(new ClientClusterOptionsValidator().Validate(null, new TurnpikeClusterOptions()).Succeeded);
    }

    [Fact]
    public void An_unknown_clustering_provider_is_refused_listing_the_supported_ones()
    {
        var failure = Assert.Single(new ClientClusterOptionsValidator().Validate(null, new TurnpikeClusterOptions { Clustering = "Consul" }).Failures!);

        Assert.Equal("Turnpike:Cluster:Clustering 'Consul' is not supported; use one of: Localhost, AdoNet, Redis, Cassandra.", failure);
    }

    [Fact]
    public void Storage_is_checked_for_silos_only()
    {
        var options = new TurnpikeClusterOptions { Storage = "Cosmos" };

        Assert.True(new ClientClusterOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(
            ["Turnpike:Cluster:Storage 'Cosmos' is not supported; use one of: Memory, AdoNet, Redis."],
            new SiloClusterOptionsValidator().Validate(null, options).Failures);
    }

    [Fact]
    public void Cassandra_is_named_as_absent_from_this_build_pointing_at_the_provider_table()
    {
        var failure = Assert.Single(new SiloClusterOptionsValidator().Validate(null, new TurnpikeClusterOptions { Clustering = "cassandra" }).Failures!);

        Assert.Contains("'Cassandra' is not in this build", failure, StringComparison.Ordinal);
        Assert.Contains("ClusterProviders", failure, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "Grains", "Hosting", "ClusterProviders.cs")), "the message names a file that exists");
    }

    [Theory]
    [InlineData("AdoNet", "Memory", "Turnpike:Cluster:AdoNet:ConnectionString is required")]
    [InlineData("Localhost", "AdoNet", "Turnpike:Cluster:AdoNet:ConnectionString is required")]
    [InlineData("Redis", "Memory", "Turnpike:Cluster:Redis:ConnectionString is required")]
    public void A_provider_without_its_connection_string_is_refused_naming_the_key(string clustering, string storage, string message)
    {
        var failure = Assert.Single(new SiloClusterOptionsValidator().Validate(null, new TurnpikeClusterOptions { Clustering = clustering, Storage = storage }).Failures!);

        Assert.StartsWith(message, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_are_checked_for_silos_and_gateways_for_edges()
    {
        var options = new TurnpikeClusterOptions { SiloPort = 0, Gateways = "not-an-endpoint" };

        Assert.Equal(
            ["Turnpike:Cluster:SiloPort and Turnpike:Cluster:GatewayPort must be ports between 1 and 65535."],
            new SiloClusterOptionsValidator().Validate(null, options).Failures);
        Assert.Equal(
            ["Turnpike:Cluster:Gateways 'not-an-endpoint' is not an IP endpoint such as 127.0.0.1:30000."],
            new ClientClusterOptionsValidator().Validate(null, options).Failures);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new TurnpikeClusterOptions { ClusterId = "", ResponseTimeout = TimeSpan.Zero, AdvertisedAddress = "here", Clustering = "Redis" };

        Assert.Equal(4, new SiloClusterOptionsValidator().Validate(null, options).Failures!.Count());
    }

    [Fact]
    public void Read_stops_the_process_with_one_line_naming_the_role_and_the_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Turnpike:Cluster:ResponseTimeout"] = "00:00:00" }).Build();

        var silo = Assert.Throws<ConfigurationProblemException>(() => TurnpikeClusterConfiguration.ReadForSilo(configuration));
        var edge = Assert.Throws<ConfigurationProblemException>(() => TurnpikeClusterConfiguration.ReadForClient(configuration));

        Assert.Equal("Invalid silo configuration: Turnpike:Cluster:ResponseTimeout must be positive (e.g. 00:00:10).", silo.Message);
        Assert.Equal("Invalid cluster configuration: Turnpike:Cluster:ResponseTimeout must be positive (e.g. 00:00:10).", edge.Message);
    }

    [Fact]
    public void Every_supported_provider_has_an_entry_in_the_one_table_silos_and_edges_read()
    {
        Assert.Equal(
            ClusteringProviders.All.Where(p => p != ClusteringProviders.Cassandra),
            ClusterProviders.Clustering.Select(p => p.Name));
        Assert.Equal(StorageProviders.All, ClusterProviders.Storage.Select(p => p.Name));
        Assert.Equal(ClusteringProviders.AdoNet, ClusterProviders.ClusteringOf(new TurnpikeClusterOptions { Clustering = "adonet" }).Name);
    }
}
