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

    /// <summary>
    /// Kong's <c>at_least_one_of</c> over config fields (paths below <c>config</c>, such as <c>prompts.append</c>): the
    /// <c>@entity</c> error when <paramref name="violated"/>, worded as Kong's, and the rule in the schema name the same fields.
    /// </summary>
    public static ConfigCheck AtLeastOneOf(Func<ConfigValues, FieldReader, bool> violated, params string[] fields) =>
        KongRule("at_least_one_of", "at least one of these fields must be non-empty", violated, fields);

    /// <summary>Kong's <c>only_one_of</c> over config fields, as <see cref="AtLeastOneOf"/>.</summary>
    public static ConfigCheck OnlyOneOf(Func<ConfigValues, FieldReader, bool> violated, params string[] fields) =>
        KongRule("only_one_of", "only one of these fields must be non-empty", violated, fields);

    /// <summary>Kong's <c>mutually_required</c> over config fields (all or none), as <see cref="AtLeastOneOf"/>.</summary>
    public static ConfigCheck MutuallyRequired(Func<ConfigValues, FieldReader, bool> violated, params string[] fields) =>
        KongRule("mutually_required", "all or none of these fields must be set", violated, fields);

    /// <summary>Kong's description of a rule over config fields, e.g. <c>{"at_least_one_of": ["config.allow", "config.deny"]}</c>.</summary>
    public static JsonObject Kong(string rule, params string[] fields) => Rule(rule, [.. fields.Select(f => "config." + f)]);

    /// <summary>Kong's description of a rule over an entity's own fields, e.g. <c>{"at_least_one_of": ["custom_id", "username"]}</c>.</summary>
    public static JsonObject Rule(string rule, params string[] fields) => new() { [rule] = Field.Array(fields) };

    private static ConfigCheck KongRule(string rule, string wording, Func<ConfigValues, FieldReader, bool> violated, string[] fields)
    {
        var message = wording + ": " + string.Join(", ", fields.Select(f => $"'config.{f}'"));
        return Entity((c, r) => violated(c, r) ? message : null, Kong(rule, fields));
    }

    internal override void Read(FieldReader reader, JsonObject output) => check(new ConfigValues(output), reader);

    internal override void Describe(JsonArray fields, JsonArray checks)
    {
        if (kong is not null)
        {
            checks.Add(kong.DeepClone());
        }
    }
}
