using System.Text.Json.Nodes;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.AiPromptTemplate;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.Cors;
using Turnpike.Edge.Plugins.Jwt;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Plugins.ResponseTransformer;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Admin text that reaches headers, paths and log lines: no control characters, header names as RFC 7230 tokens.</summary>
[Fast]
public sealed class ControlCharacterTests
{
    private static readonly PluginRegistry Plugins = new([
        new CorrelationIdPlugin(), new RequestTerminationPlugin(), new RequestTransformerPlugin(), new ResponseTransformerPlugin(),
        new CorsPlugin(), new AiPromptTemplatePlugin()]);

    private static IReadOnlyDictionary<string, string> Errors(IEntitySchema schema, JsonObject json, bool coerce = false)
    {
        var errors = new FieldErrors();
        var entity = schema.Read(json, errors, coerce);
        Assert.True(entity is null == errors.Count > 0);
        return errors.All;
    }

    private static JsonObject Plugin(string name, JsonObject config) => new() { ["name"] = name, ["config"] = config };

    [Theory]
    [InlineData("alice\r\nX-Admin: true")]
    [InlineData("alice\0")]
    [InlineData("alice\u007F")]
    [InlineData("alice\t")]
    [InlineData("alice\n")]
    public void Consumer_username_with_a_control_character_is_refused_naming_the_field(string username)
    {
        var errors = Errors(new ConsumerSchema(), new JsonObject { ["username"] = username });
        Assert.Equal("must not contain control characters", errors["username"]);
    }

    [Fact]
    public void Consumer_custom_id_and_tags_with_control_characters_are_refused()
    {
        var errors = Errors(new ConsumerSchema(), new JsonObject { ["custom_id"] = "a\rb", ["tags"] = new JsonArray("ok", "b\nad") });
        Assert.Equal("must not contain control characters", errors["custom_id"]);
        Assert.Equal("must not contain control characters", errors["tags[1]"]);
    }

    [Fact]
    public void Form_encoded_values_get_the_same_check()
    {
        var json = AdminRequestBody.FromForm([("username", "bob\r\nSet-Cookie: x"), ("custom_id", "ok")]);
        Assert.Equal("must not contain control characters", Errors(new ConsumerSchema(), json, coerce: true)["username"]);
    }

    [Fact]
    public void Route_path_and_host_with_control_characters_are_refused()
    {
        var errors = Errors(new RouteSchema(), new JsonObject { ["paths"] = new JsonArray("/ok", "/a\0b"), ["hosts"] = new JsonArray("a.test\r\n") });
        Assert.Equal("must not contain control characters", errors["paths[1]"]);
        Assert.Equal("must not contain control characters", errors["hosts[0]"]);
    }

    [Fact]
    public void Route_name_with_a_trailing_newline_is_refused()
    {
        // The name rule is a regex ending in $, which matches before a final \n: the control check comes first.
        var errors = Errors(new RouteSchema(), new JsonObject { ["name"] = "r\n", ["paths"] = new JsonArray("/r") });
        Assert.Equal("must not contain control characters", errors["name"]);
    }

    [Fact]
    public void Service_host_and_path_with_control_characters_are_refused()
    {
        var errors = Errors(new ServiceSchema(), new JsonObject { ["name"] = "s", ["host"] = "a.test", ["path"] = "/x\r\nHost: evil" });
        Assert.Equal("must not contain control characters", errors["path"]);
    }

    [Fact]
    public void Plugin_header_value_with_crlf_is_refused_naming_the_config_field()
    {
        var json = Plugin("request-transformer", new JsonObject { ["add"] = new JsonObject { ["headers"] = new JsonArray("x-env:prod\r\nX-Admin: true") } });
        Assert.Equal("must not contain control characters", Errors(new PluginSchema(Plugins), json)["config.add.headers[0]"]);
    }

    [Theory]
    [InlineData("request-transformer", "add", "x env:prod")]
    [InlineData("request-transformer", "remove", "x(y)")]
    [InlineData("request-transformer", "rename", "a:b c")]
    [InlineData("response-transformer", "append", "x:y:z\u00e9")]
    public void Transformer_header_names_must_be_tokens(string plugin, string action, string entry)
    {
        var json = Plugin(plugin, new JsonObject { [action] = new JsonObject { ["headers"] = new JsonArray(entry) } });
        var errors = Errors(new PluginSchema(Plugins), json);
        if (entry.StartsWith("x:y", StringComparison.Ordinal))
        {
            Assert.Empty(errors); // the value may hold any printable text, only the name is a token
            return;
        }

        Assert.StartsWith("bad header name", errors[$"config.{action}.headers[0]"], StringComparison.Ordinal);
    }

    [Fact]
    public void Correlation_id_and_cors_header_names_must_be_tokens()
    {
        Assert.StartsWith("bad header name", Errors(new PluginSchema(Plugins), Plugin("correlation-id", new JsonObject { ["header_name"] = "x id" }))["config.header_name"], StringComparison.Ordinal);
        Assert.StartsWith("bad header name", Errors(new PluginSchema(Plugins), Plugin("cors", new JsonObject { ["headers"] = new JsonArray("x;y") }))["config.headers[0]"], StringComparison.Ordinal);
        Assert.Empty(Errors(new PluginSchema(Plugins), Plugin("correlation-id", new JsonObject { ["header_name"] = "X-Request-ID" })));
    }

    [Fact]
    public void Route_header_names_must_be_tokens()
    {
        var errors = Errors(new RouteSchema(), new JsonObject { ["paths"] = new JsonArray("/r"), ["headers"] = new JsonObject { ["x env"] = new JsonArray("a") } });
        Assert.StartsWith("bad header name", errors["headers.x env"], StringComparison.Ordinal);
    }

    [Fact]
    public void Multi_line_fields_accept_newlines_but_never_nul()
    {
        var body = Plugin("request-termination", new JsonObject { ["status_code"] = 200, ["body"] = "line 1\r\n\tline 2\n", ["content_type"] = "text/plain" });
        Assert.Empty(Errors(new PluginSchema(Plugins), body));
        body["config"]!["body"] = "a\0b";
        Assert.Equal("must not contain control characters other than tab, CR and LF", Errors(new PluginSchema(Plugins), body)["config.body"]);

        var message = Plugin("request-termination", new JsonObject { ["message"] = "a\nb" });
        Assert.Equal("must not contain control characters", Errors(new PluginSchema(Plugins), message)["config.message"]);

        var template = Plugin("ai-prompt-template", new JsonObject { ["templates"] = new JsonArray(new JsonObject { ["name"] = "t", ["template"] = "{\"messages\": [\n]}" }) });
        Assert.Empty(Errors(new PluginSchema(Plugins), template));
        template["config"]!["templates"]![0]!["name"] = "t\n";
        Assert.Equal("must not contain control characters", Errors(new PluginSchema(Plugins), template)["config.templates[0].name"]);
    }

    [Fact]
    public void Jwt_rsa_public_key_may_be_a_multi_line_pem()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        Assert.Contains('\n', pem);
        var errors = Errors(new JwtCredentialSchema(), new JsonObject
        {
            ["consumer"] = new JsonObject { ["id"] = Guid.NewGuid().ToString() },
            ["key"] = "k\n",
            ["algorithm"] = "RS256",
            ["rsa_public_key"] = pem,
        });
        Assert.Equal("must not contain control characters", errors["key"]);
        Assert.False(errors.ContainsKey("rsa_public_key"));
    }
}
