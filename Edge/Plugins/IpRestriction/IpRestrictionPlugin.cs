using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.IpRestriction;

/// <summary>Kong's ip-restriction: allow or deny clients by address or CIDR block, IPv4 and IPv6.</summary>
internal sealed class IpRestrictionPlugin : GatewayPlugin<IpRestrictionOptions>
{
    private static readonly ConfigField<string[]?> Allow = Field.Strings("allow", text => IpRange.Parse(text).Error);
    private static readonly ConfigField<string[]?> Deny = Field.Strings("deny", text => IpRange.Parse(text).Error);
    private static readonly ConfigField<int?> Status = Field.Integer("status", 100, 599);
    private static readonly ConfigField<string?> Message = Field.String("message");

    private static readonly ConfigSchema<IpRestrictionOptions> Schema = new(
        [
            Allow, Deny, Status, Message,
            // On the raw lists: a list whose entries are all wrong already has its own errors.
            ConfigCheck.AtLeastOneOf(
                (_, r) => r.Raw(Allow.Name) is not JsonArray { Count: > 0 } && r.Raw(Deny.Name) is not JsonArray { Count: > 0 },
                Allow.Name,
                Deny.Name),
        ],
        c => new(
            Ranges(c.Get(Allow)),
            Ranges(c.Get(Deny)),
            c.Get(Status) ?? 403,
            c.Get(Message) ?? "Your IP address is not allowed"));

    public override string Name => "ip-restriction";

    public override int Priority => 990;

    public override ConfigSchema<IpRestrictionOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(IpRestrictionOptions options, Guid instanceId) =>
        new IpRestrictionHandler(options.Allow, options.Deny, options.Status, options.Message);

    private static IpRange[]? Ranges(string[]? list) => list is null ? null : [.. list.Select(a => IpRange.Parse(a).Range!)];
}

/// <summary>One ip-restriction instance's configuration, the ranges parsed once.</summary>
internal sealed record IpRestrictionOptions(IpRange[]? Allow, IpRange[]? Deny, int Status, string Message);
