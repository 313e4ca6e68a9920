using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Acl;

/// <summary>Kong's acl: lets consumers through by the groups they belong to (an allow or a deny list).</summary>
internal sealed class AclPlugin : GatewayPlugin<AclOptions>
{
    private static readonly ConfigField<string[]?> Allow = Field.Strings("allow");
    private static readonly ConfigField<string[]?> Deny = Field.Strings("deny");
    private static readonly ConfigField<bool> HideGroupsHeader = Field.Boolean("hide_groups_header").Default(false);
    private static readonly ConfigField<bool> AlwaysUseAuthenticatedGroups = Field.Boolean("always_use_authenticated_groups").Default(false);

    private static readonly ConfigSchema<AclOptions> Schema = new(
        [
            Allow, Deny, HideGroupsHeader, AlwaysUseAuthenticatedGroups,
            ConfigCheck.OnlyOneOf((c, _) => (c.Get(Allow) is { Length: > 0 }) == (c.Get(Deny) is { Length: > 0 }), Allow.Name, Deny.Name),
        ],
        c => new(Groups(c.Get(Allow)), Groups(c.Get(Deny)), c.Get(HideGroupsHeader)));

    public override string Name => "acl";

    public override int Priority => 950;

    public override ConfigSchema<AclOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AclOptions options, Guid instanceId) =>
        new AclHandler(options.Allow, options.Deny, options.HideGroupsHeader);

    private static HashSet<string>? Groups(string[]? list) => list is { Length: > 0 } ? list.ToHashSet(StringComparer.Ordinal) : null;
}

/// <summary>One acl instance's configuration: the groups as sets, built once.</summary>
internal sealed record AclOptions(HashSet<string>? Allow, HashSet<string>? Deny, bool HideGroupsHeader);
