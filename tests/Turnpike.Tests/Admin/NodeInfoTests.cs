using Turnpike.Cluster;
using Turnpike.Edge.Admin;
using Xunit;

namespace Turnpike.Tests.Admin;

[Fast]
public sealed class NodeInfoTests
{
    [Theory]
    [InlineData("AdoNet", "AdoNet", "postgres")]
    [InlineData("Localhost", "AdoNet", "postgres")]
    [InlineData("Redis", "Redis", "redis")]
    [InlineData("Localhost", "Memory", "off")]
    public void Database_is_named_as_Kong_names_it(string clustering, string storage, string database) =>
        Assert.Equal(database, NodeInfoEndpoint.Database(new TurnpikeClusterOptions { Clustering = clustering, Storage = storage }));
}
