using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// <c>flatten_errors</c> echoes the file's own names, tags and records: whatever they hold (CR LF, NUL, a lone
/// surrogate, a forged JSON fragment) the answer is well-formed JSON with every control character escaped.
/// </summary>
[Fast]
public sealed class FlattenedErrorsOutputTests
{
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin()])));

    public static TheoryData<string> HostileNames() => new()
    {
        "evil\r\nX-Injected: 1",
        "nul\0byte",
        "lone\ud800surrogate",
        "\"},{\"entity_type\":\"forged",
        "tab\tand\u007fdel\u001b[31m",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task Flattened_errors_with_control_characters_in_names_are_safe_json(string name)
    {
        var file = new JsonObject
        {
            ["_format_version"] = "3.0",
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["tags"] = new JsonArray(name),
                ["routes"] = new JsonArray(new JsonObject { ["name"] = name, ["paths"] = new JsonArray(name), ["tags"] = new JsonArray(name) }),
            }),
        };
        var read = Config.Parse(file.ToJsonString());
        var context = new DefaultHttpContext();
        using var output = new MemoryStream();
        context.Response.Body = output;

        await AdminJson.WriteAsync(context, StatusCodes.Status400BadRequest, DeclarativeErrorFlattener.ErrorBody(read));

        var bytes = output.ToArray();
        Assert.DoesNotContain(bytes, b => b < 0x20);
        var body = JsonNode.Parse(Encoding.UTF8.GetString(bytes))!;
        var entries = body["flattened_errors"]!.AsArray();
        Assert.Equal(["service", "route"], entries.Select(e => e!["entity_type"]!.GetValue<string>()).Order(StringComparer.Ordinal).Reverse());
        Assert.All(entries, e => Assert.Equal(Expected(name), e!["entity"]!["name"]!.GetValue<string>()));
    }

    /// <summary>What a lone surrogate reads back as once written out as UTF-8 (the replacement character).</summary>
    private static string Expected(string name) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name));
}
