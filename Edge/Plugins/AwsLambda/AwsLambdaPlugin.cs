using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// Kong's aws-lambda: the route is answered by an AWS Lambda function, invoked with a request signed with AWS
/// Signature Version 4 (the project's own, <see cref="AwsSignatureV4"/>), instead of by the service's upstream.
/// </summary>
internal sealed partial class AwsLambdaPlugin : GatewayPlugin<AwsLambdaOptions>, IDisposable
{
    private static readonly ConfigField<double> Timeout = Field.Number("timeout", 0, int.MaxValue).Default(60000);
    private static readonly ConfigField<double> Keepalive = Field.Number("keepalive", 0, int.MaxValue).Default(60000);
    private static readonly ConfigField<string?> AwsKey = Field.String("aws_key");
    private static readonly ConfigField<string?> AwsSecret = Field.String("aws_secret");
    private static readonly ConfigField<string?> AwsAssumeRoleArn = Field.String("aws_assume_role_arn");
    private static readonly ConfigField<string> AwsRoleSessionName = Field.String("aws_role_session_name").Default("kong")
        .Check(name => SessionName().IsMatch(name) ? null : "expected 2 to 64 of: letters, digits and =,.@-_");

    private static readonly ConfigField<string?> AwsStsEndpointUrl = Field.String("aws_sts_endpoint_url").Check(Url);
    private static readonly ConfigField<string?> AwsRegion = Field.String("aws_region").Check(Host);
    private static readonly ConfigField<string> FunctionName = Field.RequiredString("function_name")
        .Check(name => FunctionPattern().IsMatch(name) ? null : "expected a function name, or its ARN (letters, digits, - _ . : $)");

    private static readonly ConfigField<string?> Qualifier = Field.String("qualifier")
        .Check(qualifier => qualifier is null || QualifierPattern().IsMatch(qualifier) ? null : "expected 1 to 128 of: letters, digits, $ - _");

    private static readonly ConfigField<string> InvocationType = Field.OneOf("invocation_type", ["RequestResponse", "Event", "DryRun"]).Default("RequestResponse");
    private static readonly ConfigField<string> LogType = Field.OneOf("log_type", ["Tail", "None"]).Default("Tail");
    private static readonly ConfigField<string?> HostField = Field.String("host").Check(Host);
    private static readonly ConfigField<int> Port = Field.Integer("port", 0, 65535).Default(443);
    private static readonly ConfigField<bool> DisableHttps = Field.Boolean("disable_https").Default(false);
    private static readonly ConfigField<int?> UnhandledStatus = Field.Integer("unhandled_status", 100, 999);
    private static readonly ConfigField<bool> ForwardRequestMethod = Field.Boolean("forward_request_method").Default(false);
    private static readonly ConfigField<bool> ForwardRequestUri = Field.Boolean("forward_request_uri").Default(false);
    private static readonly ConfigField<bool> ForwardRequestHeaders = Field.Boolean("forward_request_headers").Default(false);
    private static readonly ConfigField<bool> ForwardRequestBody = Field.Boolean("forward_request_body").Default(false);
    private static readonly ConfigField<bool> IsProxyIntegration = Field.Boolean("is_proxy_integration").Default(false);
    private static readonly ConfigField<bool> AwsgatewayCompatible = Field.Boolean("awsgateway_compatible").Default(false);
    private static readonly ConfigField<string?> ProxyUrl = Field.String("proxy_url").Check(Url);
    private static readonly ConfigField<bool> SkipLargeBodies = Field.Boolean("skip_large_bodies").Default(true);
    private static readonly ConfigField<bool> Base64EncodeBody = Field.Boolean("base64_encode_body").Default(true);

    // Instance metadata credentials are not read (an edge talks to loopback and AWS only); accepted so Kong configurations load.
    private static readonly ConfigField<string> ImdsProtocolVersion = Field.OneOf("aws_imds_protocol_version", ["v1", "v2"]).Default("v1");
    private static readonly ConfigField<string> EmptyArraysMode = Field.OneOf("empty_arrays_mode", ["legacy", "correct"]).Default("legacy");

    private static readonly ConfigSchema<AwsLambdaOptions> Schema = new(
        [
            Timeout, Keepalive, AwsKey, AwsSecret, AwsAssumeRoleArn, AwsRoleSessionName, AwsStsEndpointUrl, AwsRegion, FunctionName, Qualifier,
            InvocationType, LogType, HostField, Port, DisableHttps, UnhandledStatus, ForwardRequestMethod, ForwardRequestUri, ForwardRequestHeaders,
            ForwardRequestBody, IsProxyIntegration, AwsgatewayCompatible, ProxyUrl, SkipLargeBodies, Base64EncodeBody, ImdsProtocolVersion, EmptyArraysMode,
            ConfigCheck.MutuallyRequired((c, _) => (c.Get(AwsKey) is null) != (c.Get(AwsSecret) is null), AwsKey.Name, AwsSecret.Name),
            ConfigCheck.Entity((c, _) => c.Get(ProxyUrl) is { } proxy && !proxy.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "proxy_url scheme must be http" : null),
        ],
        c => new(
            (int)c.Get(Timeout),
            (int)c.Get(Keepalive),
            c.Get(AwsKey),
            c.Get(AwsSecret),
            c.Get(AwsAssumeRoleArn),
            c.Get(AwsRoleSessionName),
            c.Get(AwsStsEndpointUrl),
            c.Get(AwsRegion),
            c.Get(FunctionName),
            c.Get(Qualifier),
            c.Get(InvocationType),
            c.Get(LogType),
            c.Get(HostField),
            c.Get(Port),
            c.Get(DisableHttps),
            c.Get(UnhandledStatus),
            c.Get(ForwardRequestMethod),
            c.Get(ForwardRequestUri),
            c.Get(ForwardRequestHeaders),
            c.Get(ForwardRequestBody),
            c.Get(IsProxyIntegration),
            c.Get(AwsgatewayCompatible),
            c.Get(ProxyUrl),
            c.Get(SkipLargeBodies),
            c.Get(Base64EncodeBody),
            c.Get(EmptyArraysMode)));

    private readonly AwsLambdaServices _aws;
    private readonly ILogger _logger;

    public AwsLambdaPlugin(IConfiguration configuration, TimeProvider time, ILoggerFactory loggers)
    {
        var signer = new AwsSignatureV4(new AwsSigningKeys());
        _aws = new AwsLambdaServices(signer, new AwsStsCredentials(signer, time), new AwsHttpClients(), new AwsEnvironment(configuration), time);
        _logger = loggers.CreateLogger("Turnpike.Edge.Plugins.AwsLambda");
    }

    public override string Name => "aws-lambda";

    public override int Priority => 750;

    public override ConfigSchema<AwsLambdaOptions> Config => Schema;

    public void Dispose() => _aws.Clients.Dispose();

    protected override IPluginHandler CreateHandler(AwsLambdaOptions options, Guid instanceId) => new AwsLambdaHandler(_aws, options, _logger);

    private static string? Host(string? host) =>
        host is null || (host.Length <= 253 && Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6) ? null : "invalid hostname: " + host;

    private static string? Url(string? url) =>
        url is null || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) ? null : "missing host in url";

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex SessionName();

    // Lambda's own FunctionName pattern, simplified: a name, a partial ARN or a full one, optionally with a qualifier.
    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9_.:$-]{1,256}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex FunctionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9$_-]{1,128}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex QualifierPattern();
}

/// <summary>One aws-lambda instance's configuration.</summary>
internal sealed record AwsLambdaOptions(
    int Timeout,
    int Keepalive,
    string? AwsKey,
    string? AwsSecret,
    string? AssumeRoleArn,
    string RoleSessionName,
    string? StsEndpointUrl,
    string? Region,
    string FunctionName,
    string? Qualifier,
    string InvocationType,
    string LogType,
    string? Host,
    int Port,
    bool DisableHttps,
    int? UnhandledStatus,
    bool ForwardRequestMethod,
    bool ForwardRequestUri,
    bool ForwardRequestHeaders,
    bool ForwardRequestBody,
    bool IsProxyIntegration,
    bool AwsgatewayCompatible,
    string? ProxyUrl,
    bool SkipLargeBodies,
    bool Base64EncodeBody,
    string EmptyArraysMode)
{
    /// <summary>Names the function and endpoint only: an options object in a log line or debugger never shows the secret.</summary>
    public override string ToString() => $"aws-lambda {FunctionName} (region {Region ?? "from the environment"}, host {Host ?? "AWS"}:{Port})";
}
