using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiSemanticCache;

/// <summary>Kong's <c>required = true</c> for a number field without a default: absent, it is <c>required field missing</c> at the field.</summary>
internal sealed class RequiredValue(string name) : ConfigStep
{
    internal override void Read(FieldReader reader, JsonObject output)
    {
        if (!reader.Has(name))
        {
            reader.Error(name, "required field missing");
        }
    }

    internal override void Describe(JsonArray fields, JsonArray checks)
    {
    }
}
