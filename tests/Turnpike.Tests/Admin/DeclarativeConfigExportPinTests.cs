using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.BasicAuth;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>
/// Pins what reading and exporting a table with every declarative kind gives, byte for byte, so a rewrite of
/// <see cref="DeclarativeConfig"/> is checked against what it did before. Values that change per run (generated
/// certificates, their content-derived ids, salted password hashes) are replaced by placeholders.
/// </summary>
[Fast]
public sealed class DeclarativeConfigExportPinTests : IDisposable
{
    private const string LeafId = "0b9c3f0e-5a6b-4c1d-9e8f-112233445566";
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin(), new RequestTerminationPlugin()])));

    private readonly TestCertificate _ca = TestCertificates.Ca();
    private readonly TestCertificate _leaf;
    private readonly string _hash = PasswordHash.Create("s3cret");

    public DeclarativeConfigExportPinTests() => _leaf = TestCertificates.Leaf(_ca, ["api.example.com"], ecdsa: true);

    public void Dispose()
    {
        _leaf.Dispose();
        _ca.Dispose();
    }

    private static string Indent(string pem, int spaces) => string.Join("\n", pem.TrimEnd('\n').Split('\n').Select(l => new string(' ', spaces) + l));

    private string File => $"""
        _format_version: "3.0"
        services:
        - name: orders
          url: https://orders.internal
          client_certificate: {LeafId}
          routes:
          - name: orders-route
            paths: [/orders]
            plugins:
            - name: correlation-id
          - paths: [/unnamed]
          plugins:
          - name: request-termination
            config: {"{"} status_code: 503 {"}"}
        - name: billing
          id: 7f0c2f6c-1111-4222-8333-444455556666
          url: http://127.0.0.1:9000/api
        routes:
        - name: top-route
          service: billing
          hosts: [billing.test]
        - name: serviceless
          paths: [/nowhere]
        consumers:
        - username: alice
          custom_id: crm-1
          keyauth_credentials:
          - key: alice-key
          acls:
          - group: gold
          basicauth_credentials:
          - username: alice-basic
            password: "{_hash}"
          jwt_secrets:
          - key: alice-issuer
            secret: alice-secret
          plugins:
          - name: correlation-id
        - custom_id: crm-2
        upstreams:
        - name: pool
          targets:
          - target: 127.0.0.1:9001
            weight: 50
          - target: 127.0.0.1:9000
        certificates:
        - id: {LeafId}
          cert: |
        {Indent(_leaf.ChainPem, 4)}
          key: |
        {Indent(_leaf.KeyPem, 4)}
          tags: [edge]
          snis:
          - API.example.com
          - name: "*.example.com"
            tags: [wild]
        ca_certificates:
        - cert: |
        {Indent(_ca.CertPem, 4)}
        plugins:
        - name: correlation-id
          route: top-route
        - name: request-termination
          instance_name: alice-blocked
          consumer: alice
          config: {"{"} status_code: 403 {"}"}
        - name: correlation-id
          service: billing
          route: top-route
        - name: correlation-id
          instance_name: global
        """;

    [Fact]
    public void Reading_a_file_with_every_kind_gives_the_same_entities_and_ids_as_before()
    {
        var (write, error) = Config.Read(File);

        Assert.Null(error);
        var caId = write!.Upserts.OfType<CaCertificateEntity>().Single().Id.ToString();
        var unnamedId = write.Upserts.OfType<RouteEntity>().Single(r => r.Name is null).Id.ToString();
        var lines = write.Upserts.Select(e => $"{e.Kind} {e.Id}"
            .Replace(caId, "<ca-id>", StringComparison.Ordinal)
            .Replace(unnamedId, "<random-id>", StringComparison.Ordinal));
        Assert.Equal(ExpectedRead.Trim(), string.Join("\n", lines));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Exporting_a_table_with_every_kind_gives_the_same_yaml_as_before(bool withSecrets)
    {
        var (write, error) = Config.Read(File);
        Assert.Null(error);

        var caId = write!.Upserts.OfType<CaCertificateEntity>().Single().Id.ToString();
        var exported = Config.Export(write.Upserts, withSecrets);
        Placehold(exported, new Dictionary<string, string>
        {
            [_leaf.ChainPem] = "<leaf-chain>",
            [_leaf.KeyPem] = "<leaf-key>",
            [_ca.CertPem] = "<ca-cert>",
            [caId] = "<ca-id>",
            [write.Upserts.OfType<CaCertificateEntity>().Single().CertDigest] = "<ca-digest>",
            [write.Upserts.OfType<RouteEntity>().Single(r => r.Name is null).Id.ToString()] = "<random-id>", // no name: Guid.NewGuid
            [_hash] = "<password-hash>",
        });
        var yaml = YamlJson.Write(exported);

        Assert.Equal(withSecrets ? ExpectedYaml : ExpectedYaml.Replace("  key: <leaf-key>\n", "", StringComparison.Ordinal), yaml);
    }

    /// <summary>Replaces per-run values wherever they occur as a whole string value (or inside a digest-free PEM's trimmed form).</summary>
    private static void Placehold(JsonNode? node, Dictionary<string, string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue v && v.TryGetValue<string>(out var text) && Match(text, values) is { } placeholder)
                    {
                        obj[key] = placeholder;
                    }
                    else
                    {
                        Placehold(obj[key], values);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text) && Match(text, values) is { } placeholder)
                    {
                        array[i] = placeholder;
                    }
                    else
                    {
                        Placehold(array[i], values);
                    }
                }

                break;
        }
    }

    private static string? Match(string text, Dictionary<string, string> values) =>
        values.FirstOrDefault(p => p.Key.Trim() == text.Trim()).Value;

    private const string ExpectedRead = """
        Service bc0fb3c7-ac1a-5105-8492-a7ce43c6e9b0
        Route 3bfa5374-9841-5b29-9977-88d4d7623f42
        Plugin 6f702c1c-b2e5-5bc2-a27a-7fb986c1d5b7
        Route <random-id>
        Plugin acf0ccf9-2fb2-5102-a5f5-56752fc5ecaa
        Service 7f0c2f6c-1111-4222-8333-444455556666
        Route ab489735-1714-5c20-a8d3-55445800ab32
        Route cb75d323-3112-5788-b88c-f543d951460f
        Consumer 6a4ba538-9d11-5bfc-b700-3a2d8623808a
        Plugin d0c1701d-5c19-58df-a031-bf0ff7a87f20
        KeyAuthCredential 4b13dd56-0ca9-5775-af98-8f1c102790c9
        Acl fb4a651b-5ea5-59d0-9688-23d383a1c490
        BasicAuthCredential 7e926c89-5db5-540a-9e85-c6443214c545
        JwtCredential 06b40a7b-8112-5839-a916-0a6be3a3a66a
        Consumer 92149968-e068-5ee2-8855-01407587c225
        Upstream 219b27a6-3beb-5970-900f-39eec56be9e2
        Target e1f798c3-c81e-5608-a8a3-155a9e915395
        Target a4d4b042-58b7-5193-b9c4-024c0c72a53f
        Certificate 0b9c3f0e-5a6b-4c1d-9e8f-112233445566
        Sni b662752d-bdbf-50c8-8afb-c5eba9640cd2
        Sni bb19b0c5-e5fb-5cc7-9433-20ed26fc4ff6
        CaCertificate <ca-id>
        Plugin 3791b596-d65e-58a8-884c-4d4aa255baf2
        Plugin 44280655-b39b-5c59-9bb1-f661d90bc344
        Plugin 660ed098-f446-5c60-b8e9-618118b3417f
        Plugin aff7ee2a-4a12-5465-b375-ecc9b03757fe
        """;

    // Ends with a newline, as YamlJson.Write does.
    private const string ExpectedYaml = """
        _format_version: "3.0"
        services:
        - id: 7f0c2f6c-1111-4222-8333-444455556666
          name: billing
          protocol: http
          host: 127.0.0.1
          port: 9000
          path: /api
          retries: 5
          connect_timeout: 60000
          write_timeout: 60000
          read_timeout: 60000
          enabled: true
          routes:
          - id: ab489735-1714-5c20-a8d3-55445800ab32
            name: top-route
            protocols:
            - http
            - https
            hosts:
            - billing.test
            https_redirect_status_code: 426
            regex_priority: 0
            strip_path: true
            path_handling: v0
            preserve_host: false
            request_buffering: true
            response_buffering: true
            plugins:
            - id: 3791b596-d65e-58a8-884c-4d4aa255baf2
              name: correlation-id
              config:
                header_name: Kong-Request-ID
                generator: uuid#counter
                echo_downstream: false
              protocols:
              - grpc
              - grpcs
              - http
              - https
              enabled: true
        - id: bc0fb3c7-ac1a-5105-8492-a7ce43c6e9b0
          name: orders
          protocol: https
          host: orders.internal
          port: 443
          retries: 5
          connect_timeout: 60000
          write_timeout: 60000
          read_timeout: 60000
          enabled: true
          client_certificate:
            id: 0b9c3f0e-5a6b-4c1d-9e8f-112233445566
          routes:
          - id: 3bfa5374-9841-5b29-9977-88d4d7623f42
            name: orders-route
            protocols:
            - http
            - https
            paths:
            - /orders
            https_redirect_status_code: 426
            regex_priority: 0
            strip_path: true
            path_handling: v0
            preserve_host: false
            request_buffering: true
            response_buffering: true
            plugins:
            - id: 6f702c1c-b2e5-5bc2-a27a-7fb986c1d5b7
              name: correlation-id
              config:
                header_name: Kong-Request-ID
                generator: uuid#counter
                echo_downstream: false
              protocols:
              - grpc
              - grpcs
              - http
              - https
              enabled: true
          - id: <random-id>
            protocols:
            - http
            - https
            paths:
            - /unnamed
            https_redirect_status_code: 426
            regex_priority: 0
            strip_path: true
            path_handling: v0
            preserve_host: false
            request_buffering: true
            response_buffering: true
          plugins:
          - id: acf0ccf9-2fb2-5102-a5f5-56752fc5ecaa
            name: request-termination
            config:
              status_code: 503
              message: null
              content_type: null
              body: null
              echo: false
              trigger: null
            protocols:
            - grpc
            - grpcs
            - http
            - https
            enabled: true
        routes:
        - id: cb75d323-3112-5788-b88c-f543d951460f
          name: serviceless
          protocols:
          - http
          - https
          paths:
          - /nowhere
          https_redirect_status_code: 426
          regex_priority: 0
          strip_path: true
          path_handling: v0
          preserve_host: false
          request_buffering: true
          response_buffering: true
        consumers:
        - id: 6a4ba538-9d11-5bfc-b700-3a2d8623808a
          username: alice
          custom_id: crm-1
          plugins:
          - id: d0c1701d-5c19-58df-a031-bf0ff7a87f20
            name: correlation-id
            config:
              header_name: Kong-Request-ID
              generator: uuid#counter
              echo_downstream: false
            protocols:
            - grpc
            - grpcs
            - http
            - https
            enabled: true
          - id: 44280655-b39b-5c59-9bb1-f661d90bc344
            name: request-termination
            instance_name: alice-blocked
            config:
              status_code: 403
              message: null
              content_type: null
              body: null
              echo: false
              trigger: null
            protocols:
            - grpc
            - grpcs
            - http
            - https
            enabled: true
          keyauth_credentials:
          - id: 4b13dd56-0ca9-5775-af98-8f1c102790c9
            key: alice-key
          acls:
          - id: fb4a651b-5ea5-59d0-9688-23d383a1c490
            group: gold
          basicauth_credentials:
          - id: 7e926c89-5db5-540a-9e85-c6443214c545
            username: alice-basic
            password: <password-hash>
          jwt_secrets:
          - id: 06b40a7b-8112-5839-a916-0a6be3a3a66a
            key: alice-issuer
            secret: alice-secret
            algorithm: HS256
        - id: 92149968-e068-5ee2-8855-01407587c225
          custom_id: crm-2
        upstreams:
        - id: 219b27a6-3beb-5970-900f-39eec56be9e2
          name: pool
          algorithm: round-robin
          hash_on: none
          hash_fallback: none
          hash_on_cookie_path: /
          slots: 10000
          healthchecks:
            active:
              type: http
              http_path: /
              timeout: 1
              healthy:
                interval: 0
                successes: 0
                http_statuses:
                - 200
                - 302
              unhealthy:
                interval: 0
                http_failures: 0
                tcp_failures: 0
                timeouts: 0
                http_statuses:
                - 429
                - 404
                - 500
                - 501
                - 502
                - 503
                - 504
                - 505
            passive:
              type: http
              healthy:
                successes: 0
                http_statuses:
                - 200
                - 201
                - 202
                - 203
                - 204
                - 205
                - 206
                - 207
                - 208
                - 226
                - 300
                - 301
                - 302
                - 303
                - 304
                - 305
                - 306
                - 307
                - 308
              unhealthy:
                http_failures: 0
                tcp_failures: 0
                timeouts: 0
                http_statuses:
                - 429
                - 500
                - 503
          targets:
          - id: a4d4b042-58b7-5193-b9c4-024c0c72a53f
            target: 127.0.0.1:9000
            weight: 100
          - id: e1f798c3-c81e-5608-a8a3-155a9e915395
            target: 127.0.0.1:9001
            weight: 50
        certificates:
        - id: 0b9c3f0e-5a6b-4c1d-9e8f-112233445566
          cert: <leaf-chain>
          key: <leaf-key>
          tags:
          - edge
          snis:
          - id: bb19b0c5-e5fb-5cc7-9433-20ed26fc4ff6
            name: '*.example.com'
            tags:
            - wild
          - id: b662752d-bdbf-50c8-8afb-c5eba9640cd2
            name: api.example.com
        ca_certificates:
        - id: <ca-id>
          cert: <ca-cert>
          cert_digest: <ca-digest>
        plugins:
        - id: 660ed098-f446-5c60-b8e9-618118b3417f
          name: correlation-id
          route:
            id: ab489735-1714-5c20-a8d3-55445800ab32
          service:
            id: 7f0c2f6c-1111-4222-8333-444455556666
          config:
            header_name: Kong-Request-ID
            generator: uuid#counter
            echo_downstream: false
          protocols:
          - grpc
          - grpcs
          - http
          - https
          enabled: true
        - id: aff7ee2a-4a12-5465-b375-ecc9b03757fe
          name: correlation-id
          instance_name: global
          config:
            header_name: Kong-Request-ID
            generator: uuid#counter
            echo_downstream: false
          protocols:
          - grpc
          - grpcs
          - http
          - https
          enabled: true

        """;
}
