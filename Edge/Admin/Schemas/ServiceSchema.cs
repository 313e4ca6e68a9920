using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>services</c> schema, with the <c>url</c> shorthand for protocol, host, port and path. Protocols http, https,
/// grpc and grpcs; the upstream TLS fields (<c>client_certificate</c>, <c>tls_verify</c>, <c>tls_verify_depth</c>,
/// <c>ca_certificates</c>) only with https and grpcs, and no <c>path</c> with grpc or grpcs, as Kong's conditional checks say.
/// </summary>
internal sealed class ServiceSchema : IEntitySchema
{
    public const int MaxTimeout = 2147483646;

    private static readonly string[] Protocols = ["http", "https", "grpc", "grpcs"];
    private static readonly string[] TlsFields = ["client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"];
    private const string ProtocolConditional = "failed conditional validation given value of field 'protocol'";

    public EntityKind Kind => EntityKind.Service;

    public string NameField => "name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var name = r.String("name");
        if (name is not null && FieldRules.Name(name) is { } nameProblem)
        {
            r.Error("name", nameProblem);
        }

        var protocol = r.String("protocol");
        var host = r.String("host");
        var port = r.Integer("port", 0, 65535);
        var path = r.String("path");
        if (r.String("url") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
            {
                protocol = uri.Scheme;
                host = uri.Host.Trim('[', ']');

                // Kong's defaults: 80 and 443 for http and https, 80 for anything else (grpcs too).
                port = uri.Port > 0 ? uri.Port : protocol == "https" ? 443 : 80;
                path = uri.AbsolutePath is "" || (uri.AbsolutePath == "/" && !url.EndsWith('/')) ? null : uri.AbsolutePath;
            }
            else
            {
                r.Error("url", "missing host in url");
            }
        }

        protocol ??= "http";
        if (!Protocols.Contains(protocol))
        {
            r.Error("protocol", $"expected one of: {string.Join(", ", Protocols)}");
        }

        if (host is null)
        {
            if (!errors.All.ContainsKey("url"))
            {
                r.Error("host", "required field missing");
            }
        }
        else if (FieldRules.Hostname(host) is { } hostProblem)
        {
            r.Error("host", hostProblem);
        }

        if (path is not null && FieldRules.ServicePath(path) is { } pathProblem)
        {
            r.Error("path", pathProblem);
        }

        var clientCertificate = r.ForeignKey("client_certificate");
        var tlsVerify = r.Boolean("tls_verify");
        var tlsVerifyDepth = r.Integer("tls_verify_depth", 0, 64);
        var caCertificates = r.Strings("ca_certificates", id => EntityIds.TryParse(id, out _) ? null : "expected a valid UUID");
        if (protocol is "grpc" or "grpcs" && path is not null)
        {
            r.Error("path", "value must be null");
            r.Error("@entity", ProtocolConditional);
        }

        // Upstream TLS settings only where there is upstream TLS (Kong allows them with https; gRPC over TLS is the same case).
        if (protocol is not ("https" or "grpcs"))
        {
            foreach (var field in TlsFields.Where(r.Has))
            {
                r.Error(field, "value must be null");
                r.Error("@entity", ProtocolConditional);
            }
        }

        var service = new ServiceEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Name = name,
            Protocol = protocol,
            Host = host ?? "",
            Port = port ?? 80,
            Path = path,
            Retries = r.Integer("retries", 0, 32767) ?? 5,
            ConnectTimeout = r.Integer("connect_timeout", 1, MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs,
            WriteTimeout = r.Integer("write_timeout", 1, MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs,
            ReadTimeout = r.Integer("read_timeout", 1, MaxTimeout) ?? ServiceEntity.DefaultTimeoutMs,
            Tags = r.Strings("tags", FieldRules.Tag),
            Enabled = r.Boolean("enabled") ?? true,
            ClientCertificateId = clientCertificate,
            TlsVerify = tlsVerify,
            TlsVerifyDepth = tlsVerifyDepth,
            CaCertificates = caCertificates?.Select(Guid.Parse).ToArray(),
        };
        r.RejectUnknown();
        return errors.Count == 0 ? service : null;
    }

    public JsonObject Write(GatewayEntity entity)
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
}
