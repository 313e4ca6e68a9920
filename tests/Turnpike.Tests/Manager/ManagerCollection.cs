using Xunit;

namespace Turnpike.Tests.Manager;

/// <summary>The browser tests share one cluster and one browser: starting them is most of the tests' time.</summary>
[CollectionDefinition(Name)]
public sealed class ManagerCollection : ICollectionFixture<ManagerClusterFixture>
{
    public const string Name = "manager cluster";
}
