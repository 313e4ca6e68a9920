using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

internal static class JsonObjectExtensions
{
    /// <summary>Adds <paramref name="extra"/>'s properties (an anonymous object or a JsonObject) over this object's.</summary>
    public static JsonObject Merge(this JsonObject target, object? extra)
    {
        if (extra is not null && (extra as JsonObject ?? JsonSerializer.SerializeToNode(extra)) is JsonObject source)
        {
            foreach (var (key, value) in source.ToArray())
            {
                target[key] = value?.DeepClone();
            }
        }

        return target;
    }
}
