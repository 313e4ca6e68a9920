using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// Defaults, typed: a field with a default binds to a non-nullable value, and the stored configuration names the
/// default (as Kong's does), so the admin API and the declarative export show it. Declare the default before any check.
/// </summary>
internal static class FieldDefaults
{
    public static ConfigField<string> Default(this ConfigField<string?> field, string value) =>
        field.WithDefault(value, JsonValue.Create(value), n => n.GetValue<string>(), [.. field.Checks.Select(c => (Func<string, string?>)(v => c(v)))]);

    public static ConfigField<int> Default(this ConfigField<int?> field, int value) =>
        field.WithDefault(value, JsonValue.Create(value), n => n.GetValue<int>(), [.. field.Checks.Select(c => (Func<int, string?>)(v => c(v)))]);

    public static ConfigField<double> Default(this ConfigField<double?> field, double value) =>
        field.WithDefault(value, JsonValue.Create(value), n => n.GetValue<double>(), [.. field.Checks.Select(c => (Func<double, string?>)(v => c(v)))]);

    public static ConfigField<bool> Default(this ConfigField<bool?> field, bool value) =>
        field.WithDefault(value, JsonValue.Create(value), n => n.GetValue<bool>(), [.. field.Checks.Select(c => (Func<bool, string?>)(v => c(v)))]);

    public static ConfigField<string[]> Default(this ConfigField<string[]?> field, params string[] value) =>
        field.WithDefault(value, Field.Array(value), Field.ToStrings, [.. field.Checks.Select(c => (Func<string[], string?>)(v => c(v)))]);

    public static ConfigField<int[]> Default(this ConfigField<int[]?> field, params int[] value) =>
        field.WithDefault(value, new JsonArray([.. value.Select(v => (JsonNode?)v)]), n => [.. n.AsArray().Select(e => e!.GetValue<int>())], [.. field.Checks.Select(c => (Func<int[], string?>)(v => c(v)))]);
}
