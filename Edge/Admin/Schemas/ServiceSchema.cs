using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>services</c> schema, with the <c>url</c> shorthand for protocol, host, port and path. Protocols http, https,
/// grpc and grpcs; the upstream TLS fields (<c>client_certificate</c>, <c>tls_verify</c>, <c>tls_verify_depth</c>,
/// <c>ca_certificates</c>) only with https and grpcs, and no <c>path</c> with grpc or grpcs, as Kong's conditional checks say.
/// </summary>
internal sealed class ServiceSchema : EntitySchema<ServiceEntity>
{
    public const int MaxTimeout = 2147483646;

    private static readonly string[] Protocols = ["http", "https", "grpc", "grpcs"];
    private static readonly string[] TlsFields = ["client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"];
    private const string ProtocolConditional = "failed conditional validation given value of field 'protocol'";

    /// <summary>Kong's shorthand: <c>url</c> stands for protocol, host, port and path (80 and 443 by scheme, 80 for anything else).</summary>
    private static readonly ConfigShorthand Url = new("url", (url, r) =>
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
        {
            r.Supply("protocol", uri.Scheme);
            r.Supply("host", uri.Host.Trim('[', ']'));
            r.Supply("port", uri.Port > 0 ? uri.Port : uri.Scheme == "https" ? 443 : 80);
            r.Supply("path", uri.AbsolutePath is "" || (uri.AbsolutePath == "/" && !url.EndsWith('/')) ? null : uri.AbsolutePath);
        }
        else
        {
            r.Error("url", "missing host in url");
        }
    });

    private static readonly ConfigField<string?> Name = Field.String("name").Check(n => FieldRules.Name(n!)).Described("unique", true);
    private static readonly ConfigField<string> Protocol = Field.OneOf("protocol", Protocols).Default("http");
    private static readonly ConfigField<string?> Host = Field.String("host").Check(h => FieldRules.Hostname(h!)).Described("required", true);
    private static readonly ConfigField<int> Port = Field.Integer("port", 0, 65535).Default(80);
    private static readonly ConfigField<string?> Path = Field.String("path").Check(p => FieldRules.ServicePath(p!));
    private static readonly ConfigField<int> Retries = Field.Integer("retries", 0, 32767).Default(5);
    private static readonly ConfigField<int> ConnectTimeout = Field.Integer("connect_timeout", 1, MaxTimeout).Default(ServiceEntity.DefaultTimeoutMs);
    private static readonly ConfigField<int> WriteTimeout = Field.Integer("write_timeout", 1, MaxTimeout).Default(ServiceEntity.DefaultTimeoutMs);
    private static readonly ConfigField<int> ReadTimeout = Field.Integer("read_timeout", 1, MaxTimeout).Default(ServiceEntity.DefaultTimeoutMs);
    private static readonly ConfigField<bool> Enabled = Field.Boolean("enabled").Default(true);
    private static readonly ConfigField<Guid?> ClientCertificate = Field.Foreign("client_certificate", EntityKind.Certificate.TableName());
    private static readonly ConfigField<bool?> TlsVerify = Field.Boolean("tls_verify");
    private static readonly ConfigField<int?> TlsVerifyDepth = Field.Integer("tls_verify_depth", 0, 64);
    private static readonly ConfigField<string[]?> CaCertificates = Field.Strings("ca_certificates", id => EntityIds.TryParse(id, out _) ? null : "expected a valid UUID");

    /// <summary>A host, given or from the url (a url without one has said so already).</summary>
    private static readonly ConfigCheck HostGiven = new((c, r) =>
    {
        if (c.Get(Host) is null && !r.Has("host") && !r.Errors.All.ContainsKey("url"))
        {
            r.Error("host", "required field missing");
        }
    });

    /// <summary>Kong's conditional checks on the protocol: no path with gRPC; upstream TLS settings only where there is upstream TLS.</summary>
    private static readonly ConfigCheck ByProtocol = new((c, r) =>
    {
        var protocol = c.Get(Protocol);
        if (protocol is "grpc" or "grpcs" && c.Get(Path) is not null)
        {
            r.Error("path", "value must be null");
            r.Error("@entity", ProtocolConditional);
        }

        if (protocol is not ("https" or "grpcs"))
        {
            foreach (var field in TlsFields.Where(r.Has))
            {
                r.Error(field, "value must be null");
                r.Error("@entity", ProtocolConditional);
            }
        }
    });

    public ServiceSchema()
        : base([Url, Name, Protocol, Host, Port, Path, Retries, ConnectTimeout, WriteTimeout, ReadTimeout, Enabled, ClientCertificate, TlsVerify, TlsVerifyDepth, CaCertificates, HostGiven, ByProtocol])
    {
    }

    public override EntityKind Kind => EntityKind.Service;

    public override string NameField => "name";

    public override JsonObject Write(GatewayEntity entity)
    {
        var s = (ServiceEntity)entity;
        var json = new JsonObject
        {
            ["id"] = s.Id.ToString(),
            ["name"] = s.Name,
            ["protocol"] = s.Protocol,
            ["host"] = s.Host,
            ["port"] = s.Port,
            ["path"] = s.Path,
            ["retries"] = s.Retries,
            ["connect_timeout"] = s.ConnectTimeout,
            ["write_timeout"] = s.WriteTimeout,
            ["read_timeout"] = s.ReadTimeout,
            ["enabled"] = s.Enabled,
            ["client_certificate"] = JsonFields.Reference(s.ClientCertificateId),
            ["tls_verify"] = s.TlsVerify,
            ["tls_verify_depth"] = s.TlsVerifyDepth,
            ["ca_certificates"] = s.CaCertificates is { } ids ? JsonFields.Array(ids.Select(id => id.ToString())) : null,
        };
        JsonFields.WriteCommon(json, s);
        return json;
    }

    protected override ServiceEntity Bind(ConfigValues values) => new()
    {
        Name = values.Get(Name),
        Protocol = values.Get(Protocol),
        Host = values.Get(Host)!,
        Port = values.Get(Port),
        Path = values.Get(Path),
        Retries = values.Get(Retries),
        ConnectTimeout = values.Get(ConnectTimeout),
        WriteTimeout = values.Get(WriteTimeout),
        ReadTimeout = values.Get(ReadTimeout),
        Enabled = values.Get(Enabled),
        ClientCertificateId = values.Get(ClientCertificate),
        TlsVerify = values.Get(TlsVerify),
        TlsVerifyDepth = values.Get(TlsVerifyDepth),
        CaCertificates = values.Get(CaCertificates)?.Select(Guid.Parse).ToArray(),
    };
}
