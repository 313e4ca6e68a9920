using System.Text.Json.Nodes;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// A header's values as a JSON answer gives them (a Lambda proxy response, an LLM's response instructions): a string,
/// a number or a boolean is one value, an array one value per such item; objects and nulls give none.
/// </summary>
internal static class JsonHeaderValues
{
    public static List<string> Of(JsonNode? node) => node switch
    {
        JsonArray array => [.. array.Select(Scalar).OfType<string>()],
        _ => Scalar(node) is { } one ? [one] : [],
    };

    private static string? Scalar(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value when value.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}
