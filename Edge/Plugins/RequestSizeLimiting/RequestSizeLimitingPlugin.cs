using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestSizeLimiting;

/// <summary>Kong's request-size-limiting: refuses request bodies larger than the allowed size.</summary>
internal sealed class RequestSizeLimitingPlugin : GatewayPlugin<RequestSizeLimitingOptions>
{
    private static readonly ConfigField<int> AllowedPayloadSize = Field.Integer("allowed_payload_size", 0, int.MaxValue).Default(128);
    private static readonly ConfigField<string> SizeUnit = Field.OneOf("size_unit", ["megabytes", "kilobytes", "bytes"]).Default("megabytes");
    private static readonly ConfigField<bool> RequireContentLength = Field.Boolean("require_content_length").Default(false);

    private static readonly ConfigSchema<RequestSizeLimitingOptions> Schema = new(
        [AllowedPayloadSize, SizeUnit, RequireContentLength],
        c => new(Bytes(c.Get(AllowedPayloadSize), c.Get(SizeUnit)), c.Get(RequireContentLength)));

    public override string Name => "request-size-limiting";

    public override int Priority => 951;

    public override ConfigSchema<RequestSizeLimitingOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(RequestSizeLimitingOptions options, Guid instanceId) =>
        new RequestSizeLimitingHandler(options.MaxBytes, options.RequireContentLength);

    private static long Bytes(long size, string unit) => unit switch
    {
        "megabytes" => size * 1024 * 1024,
        "kilobytes" => size * 1024,
        _ => size,
    };
}

/// <summary>One request-size-limiting instance's configuration, the limit in bytes.</summary>
internal sealed record RequestSizeLimitingOptions(long MaxBytes, bool RequireContentLength);
