using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// A plugin's configuration, declared once (Kong's schema-as-data): the ordered fields and entity checks, and the binder
/// that builds the typed options the handler receives. From it come the validation (every error collected), the stored
/// JSON with defaults filled, the typed options (bound once per table version, never per request) and Kong's schema JSON.
/// </summary>
internal sealed class ConfigSchema<TOptions>(ConfigStep[] steps, Func<ConfigValues, TOptions> bind)
{
    /// <summary>Validates the <c>config</c> object; returns it with every default filled in (meaningful only without errors).</summary>
    public JsonObject Read(FieldReader reader)
    {
        var output = new JsonObject();
        foreach (var step in steps)
        {
            step.Read(reader, output);
        }

        reader.RejectUnknown();
        return output;
    }

    /// <summary>The typed options of a stored configuration <see cref="Read"/> returned.</summary>
    public TOptions Bind(JsonObject stored) => bind(new ConfigValues(stored));

    /// <summary>Kong's <c>record</c> description of this configuration, with its <c>entity_checks</c> when it has some.</summary>
    public JsonObject Describe()
    {
        var fields = new JsonArray();
        var checks = new JsonArray();
        foreach (var step in steps)
        {
            step.Describe(fields, checks);
        }

        var record = new JsonObject { ["type"] = "record", ["fields"] = fields };
        if (checks.Count > 0)
        {
            record["entity_checks"] = checks;
        }

        return record;
    }
}
