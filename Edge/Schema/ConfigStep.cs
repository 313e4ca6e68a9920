using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// One step of a <see cref="ConfigSchema{TOptions}"/>: a field or an entity check. Steps run in declaration order,
/// which is part of the contract: the first error of a path stands, and some checks only speak when nothing before them failed.
/// </summary>
internal abstract class ConfigStep
{
    /// <summary>Validates this step against <paramref name="reader"/>, writing what it read (defaults filled) into <paramref name="output"/>.</summary>
    internal abstract void Read(FieldReader reader, JsonObject output);

    /// <summary>Adds this step to Kong's schema JSON: a field to <paramref name="fields"/>, an entity check to <paramref name="checks"/>.</summary>
    internal abstract void Describe(JsonArray fields, JsonArray checks);
}
