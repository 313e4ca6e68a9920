using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>Typed access to a configuration's values, by field: what checks read while validating and what binders read once per table version.</summary>
internal readonly struct ConfigValues(JsonObject stored)
{
    public T Get<T>(ConfigField<T> field) => field.ValueIn(stored);
}
