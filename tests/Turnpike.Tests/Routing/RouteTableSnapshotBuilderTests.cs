using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Schema;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Routing;

/// <summary>
/// A change of services and routes alone compiles just those (its cost does not grow with the table); what the proxy
/// then serves must be what compiling the whole table gives: the service's and global plugins on a new route, a
/// service's change on all its routes, no route of a disabled or deleted service, nothing of a deleted route, and
/// everything again after a change of anything else.
/// </summary>
[Fast]
public sealed class RouteTableSnapshotBuilderTests : IDisposable
{
    private readonly StandaloneRouteTable _table = new(new PluginRegistry([new LabelPlugin()]));
    private readonly ServiceEntity _service = new() { Id = Guid.NewGuid(), Name = "svc", Host = "upstream.test", Port = 80 };

    public void Dispose() => _table.Dispose();

    [Fact]
    public void A_route_added_later_gets_the_plugin_its_service_gives_every_route()
    {
        // Kong's precedence: the service's instance wins over the global one of the same plugin.
        Apply([_service, Plugin("service", serviceId: _service.Id), Plugin("global"), Route("/a")]);
        var snapshot = Apply([Route("/b")]);

        Assert.Equal(["service"], Labels(snapshot, "/b"));
        Assert.Equal(["service"], Labels(snapshot, "/a"));
    }

    [Fact]
    public void A_route_without_a_service_added_later_gets_the_global_plugin()
    {
        Apply([_service, Plugin("global"), Route("/a")]);
        var snapshot = Apply([new RouteEntity { Id = Guid.NewGuid(), Paths = ["/free"] }]);

        Assert.Equal(["global"], Labels(snapshot, "/free"));
    }

    [Fact]
    public void A_route_changed_alone_serves_its_new_paths_and_not_its_old_ones()
    {
        var route = Route("/old");
        Apply([_service, route, Route("/other")]);
        var snapshot = Apply([route with { Paths = ["/new"] }]);

        Assert.Null(Match(snapshot, "/old"));
        Assert.Equal(route.Id, Match(snapshot, "/new")?.Route.Entity.Id);
        Assert.NotNull(Match(snapshot, "/other"));
    }

    [Fact]
    public void A_deleted_route_is_not_served_and_the_others_are()
    {
        var route = Route("/gone");
        Apply([_service, route, Route("/kept")]);
        var snapshot = Apply([], [new EntityRef(EntityKind.Route, route.Id)]);

        Assert.Null(Match(snapshot, "/gone"));
        Assert.NotNull(Match(snapshot, "/kept"));
    }

    [Fact]
    public void A_route_added_to_a_disabled_service_is_not_served()
    {
        Apply([_service with { Enabled = false }, Route("/a")]);
        var snapshot = Apply([Route("/b")]);

        Assert.Null(Match(snapshot, "/a"));
        Assert.Null(Match(snapshot, "/b"));
    }

    [Fact]
    public void A_consumer_change_alone_keeps_the_compiled_routes()
    {
        var first = Apply([_service, Route("/a")]);
        var second = Apply([new ConsumerEntity { Id = Guid.NewGuid(), Username = "ann" }]);

        Assert.Same(Match(first, "/a")!.Value.Route, Match(second, "/a")!.Value.Route);
        Assert.Same(first.Matcher, second.Matcher);
    }

    [Fact]
    public void A_plugin_added_after_route_changes_reaches_every_route()
    {
        Apply([_service, Route("/a")]);
        Apply([Route("/b")]);
        var snapshot = Apply([Plugin("late", serviceId: _service.Id)]);

        Assert.Equal(["late"], Labels(snapshot, "/a"));
        Assert.Equal(["late"], Labels(snapshot, "/b"));
    }

    [Fact]
    public void A_service_changed_alone_is_what_its_routes_forward_to()
    {
        Apply([_service, Route("/a"), Route("/b")]);
        var snapshot = Apply([_service with { Host = "moved.test", Port = 8080 }]);

        Assert.All(new[] { "/a", "/b" }, path => Assert.Equal(("moved.test", 8080), (Match(snapshot, path)!.Value.Route.Service!.Entity.Host, Match(snapshot, path)!.Value.Route.Service!.Entity.Port)));
    }

    [Fact]
    public void A_service_disabled_alone_takes_its_routes_out_and_enabled_again_brings_them_back()
    {
        Apply([_service, Route("/a")]);

        Assert.Null(Match(Apply([_service with { Enabled = false }]), "/a"));
        Assert.NotNull(Match(Apply([_service with { Enabled = true }]), "/a"));
    }

    [Fact]
    public void A_route_moved_to_another_service_follows_its_new_service_only()
    {
        var other = new ServiceEntity { Id = Guid.NewGuid(), Name = "other", Host = "other.test", Port = 80 };
        var route = Route("/a");
        Apply([_service, other, route]);
        Apply([route with { ServiceId = other.Id }]);

        // Disabling the service it left changes nothing for it; disabling the one it joined takes it out.
        Assert.Equal("other.test", Match(Apply([_service with { Enabled = false }]), "/a")?.Route.Service!.Entity.Host);
        Assert.Null(Match(Apply([other with { Enabled = false }]), "/a"));
    }

    [Fact]
    public void A_service_deleted_takes_its_routes_out()
    {
        Apply([_service, Route("/a")]);
        var snapshot = Apply([], [new EntityRef(EntityKind.Service, _service.Id)]);

        Assert.Null(Match(snapshot, "/a"));
    }

    private RouteTableSnapshot Apply(GatewayEntity[] upserts, EntityRef[]? deletes = null) => _table.Apply(upserts, deletes);

    private RouteEntity Route(string path) => new() { Id = Guid.NewGuid(), Paths = [path], ServiceId = _service.Id };

    private static PluginEntity Plugin(string label, Guid? serviceId = null) =>
        new() { Id = Guid.NewGuid(), Name = "label", Config = $$"""{"label":"{{label}}"}""", ServiceId = serviceId };

    private static RouteMatch? Match(RouteTableSnapshot snapshot, string path) =>
        snapshot.Matcher.Match("GET", "any.test", path, new HeaderDictionary());

    private static string[] Labels(RouteTableSnapshot snapshot, string path) =>
        [.. Match(snapshot, path)!.Value.Route.Plugins.Slots.SelectMany(slot => new[] { ((LabelHandler)slot.Handler!).Label }).Order(StringComparer.Ordinal)];

    private sealed class LabelPlugin : GatewayPlugin<string>
    {
        private static readonly ConfigField<string?> Label = Field.String("label");
        private static readonly ConfigSchema<string> Schema = new([Label], c => c.Get(Label) ?? "");

        public override string Name => "label";

        public override int Priority => 1;

        public override ConfigSchema<string> Config => Schema;

        protected override IPluginHandler CreateHandler(string options, Guid instanceId) => new LabelHandler(options);
    }

    private sealed class LabelHandler(string label) : IPluginHandler
    {
        public string Label { get; } = label;

        public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);
    }
}
