using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// A check across fields (Kong's entity checks), run where it is declared among the fields: it sees every value read
/// before it, defaults filled, and reports through the reader (<c>@entity</c> or a field's own path).
/// </summary>
internal sealed class ConfigCheck(Action<ConfigValues, FieldReader> check, JsonObject? kong = null) : ConfigStep
{
    /// <summary>An <c>@entity</c> error when <paramref name="problem"/> answers one; <paramref name="kong"/> describes the rule in Kong's schema JSON.</summary>
    public static ConfigCheck Entity(Func<ConfigValues, FieldReader, string?> problem, JsonObject? kong = null) =>
        new((values, reader) =>
        {
            if (problem(values, reader) is { } message)
            {
                reader.Error("@entity", message);
            }
        }, kong);

    /// <summary>Kong's description of a rule over config fields, e.g. <c>{"at_least_one_of": ["config.allow", "config.deny"]}</c>.</summary>
    public static JsonObject Kong(string rule, params string[] fields) => Rule(rule, [.. fields.Select(f => "config." + f)]);

    /// <summary>Kong's description of a rule over an entity's own fields, e.g. <c>{"at_least_one_of": ["custom_id", "username"]}</c>.</summary>
    public static JsonObject Rule(string rule, params string[] fields) => new() { [rule] = Field.Array(fields) };

    internal override void Read(FieldReader reader, JsonObject output) => check(new ConfigValues(output), reader);

    internal override void Describe(JsonArray fields, JsonArray checks)
    {
        if (kong is not null)
        {
            checks.Add(kong.DeepClone());
        }
    }
}
