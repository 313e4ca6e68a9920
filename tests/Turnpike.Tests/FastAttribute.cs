using Xunit.Abstractions;
using Xunit.Sdk;

namespace Turnpike.Tests;

/// <summary>
/// Marks a test class as part of the fast tier: a unit test beside the logic (schemas, translators, matchers, parsers,
/// paths, headers, grain logic with in-memory fakes) that starts no PostgreSQL, Redis, Node, Orleans cluster, edge or
/// child process and listens on no port. It is the trait <c>Tier=Fast</c>, so
/// <c>dotnet test Cluster.sln -c Release --no-build --filter "Tier=Fast"</c> runs exactly these classes; every test,
/// marked or not, stays in the default run.
/// One marker rather than <c>[Trait("Tier", "Fast")]</c> spelled out on each class: the rule is written once (here),
/// and a misspelled name or value cannot silently drop a class from the tier.
/// </summary>
[TraitDiscoverer("Turnpike.Tests.FastTraitDiscoverer", "Turnpike.Tests")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class FastAttribute : Attribute, ITraitAttribute
{
    public const string Trait = "Tier";

    public const string Value = "Fast";
}

/// <summary>Turns <see cref="FastAttribute"/> into the trait <c>Tier=Fast</c> that <c>--filter</c> selects on.</summary>
public sealed class FastTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new(FastAttribute.Trait, FastAttribute.Value)];
}
