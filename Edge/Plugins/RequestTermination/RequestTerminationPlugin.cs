using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestTermination;

/// <summary>Kong's request-termination: answers with a fixed status and message or body, never reaching the upstream.</summary>
internal sealed class RequestTerminationPlugin : GatewayPlugin<RequestTerminationOptions>
{
    private static readonly ConfigField<int> StatusCode = Field.Integer("status_code", 100, 599).Default(503);
    private static readonly ConfigField<string?> Message = Field.String("message");
    private static readonly ConfigField<string?> ContentType = Field.String("content_type");
    private static readonly ConfigField<string?> Body = Field.String("body", multiLine: true);
    private static readonly ConfigField<bool> Echo = Field.Boolean("echo").Default(false);
    private static readonly ConfigField<string?> Trigger = Field.String("trigger");

    private static readonly ConfigSchema<RequestTerminationOptions> Schema = new(
        [
            StatusCode, Message, ContentType, Body, Echo, Trigger,
            ConfigCheck.Entity((c, _) => c.Get(Message) is not null && (c.Get(ContentType) is not null || c.Get(Body) is not null) ? "message cannot be used with content_type or body" : null),
            ConfigCheck.Entity((c, _) => c.Get(ContentType) is not null && c.Get(Body) is null ? "content_type requires a body" : null),
            ConfigCheck.Entity((c, _) => c.Get(Echo) && (c.Get(Message) is not null || c.Get(Body) is not null) ? "echo cannot be used with message or body" : null),
        ],
        c => new(c.Get(StatusCode), c.Get(Message), c.Get(ContentType), c.Get(Body), c.Get(Echo), c.Get(Trigger)));

    public override string Name => "request-termination";

    public override int Priority => 2;

    public override ConfigSchema<RequestTerminationOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(RequestTerminationOptions options, Guid instanceId) => new RequestTerminationHandler(
        options.StatusCode, options.Message, options.ContentType, options.Body, options.Echo, options.Trigger);
}

/// <summary>One request-termination instance's configuration.</summary>
internal sealed record RequestTerminationOptions(int StatusCode, string? Message, string? ContentType, string? Body, bool Echo, string? Trigger);
