using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Schema;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>
/// A plugin handler that holds resources (a log queue, a tracer) is disposed when a new table no longer has it: after a
/// grace for the requests still running on the older table, never while it is in use; the ones in use at shutdown.
/// </summary>
[Fast]
public sealed class PluginHandlerRetirementTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly StandaloneRouteTable _table;
    private readonly Guid _serviceId = Guid.NewGuid();

    public PluginHandlerRetirementTests() => _table = new StandaloneRouteTable(new PluginRegistry([new HoldingPlugin()]), _time);

    public void Dispose() => _table.Clients.Dispose();

    private HoldingHandler Build(params GatewayEntity[] upserts)
    {
        var snapshot = _table.Apply([new ServiceEntity { Id = _serviceId, Host = "upstream.test", Port = 80 }, new RouteEntity { Id = _serviceId, Paths = ["/"], ServiceId = _serviceId }, .. upserts]);
        var route = snapshot.Matcher.Match("GET", "any", "/", new Microsoft.AspNetCore.Http.HeaderDictionary())!.Value.Route;
        return (HoldingHandler)route.Plugins.Slots.Single().Handler!;
    }

    private static PluginEntity Instance(Guid id, string label) => new() { Id = id, Name = "holding", Config = $$"""{"label":"{{label}}"}""" };

    [Fact]
    public async Task A_replaced_handler_is_disposed_only_after_the_grace_for_requests_in_flight()
    {
        var id = Guid.NewGuid();
        var first = Build(Instance(id, "one"));
        var unchanged = Build(); // a table change that leaves the plugin alone keeps its handler
        Assert.Same(first, unchanged);

        var second = Build(Instance(id, "two"));
        Assert.NotSame(first, second);
        Assert.False(first.Disposed.Task.IsCompleted); // requests begun on the older table may still log through it

        _time.Advance(RouteTableSnapshotBuilder.RetireAfter);
        await first.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.Disposed.Task.IsCompleted);
    }

    [Fact]
    public async Task A_removed_plugin_is_disposed_and_the_handlers_in_use_are_disposed_with_the_builder()
    {
        var removedId = Guid.NewGuid();
        var removed = Build(Instance(removedId, "gone"));
        _table.Apply([], [new EntityRef(EntityKind.Plugin, removedId)]);
        var kept = Build(Instance(Guid.NewGuid(), "kept"));

        _time.Advance(RouteTableSnapshotBuilder.RetireAfter);
        await removed.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(kept.Disposed.Task.IsCompleted);

        _table.Builder.Dispose();
        Assert.True(kept.Disposed.Task.IsCompleted);
    }

    private sealed class HoldingPlugin : GatewayPlugin<string>
    {
        private static readonly ConfigField<string?> Label = Field.String("label");
        private static readonly ConfigSchema<string> Schema = new([Label], c => c.Get(Label) ?? "");

        public override string Name => "holding";

        public override int Priority => 1;

        public override ConfigSchema<string> Config => Schema;

        protected override IPluginHandler CreateHandler(string options, Guid instanceId) => new HoldingHandler();
    }

    private sealed class HoldingHandler : IPluginHandler, IDisposable
    {
        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

        public void Dispose() => Disposed.TrySetResult();
    }
}
