using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// Kong's shorthand field: a string the admin may write in place of several fields (a service's <c>url</c> for its
/// protocol, host, port and path). It is not stored; <paramref name="expand"/> supplies the fields it stands for
/// (<see cref="FieldReader.Supply"/>) or reports why it cannot, and the declarations after it validate them as if given.
/// </summary>
internal sealed class ConfigShorthand(string name, Action<string, FieldReader> expand) : ConfigStep
{
    internal override void Read(FieldReader reader, JsonObject output)
    {
        if (reader.String(name) is { } value)
        {
            expand(value, reader);
        }
    }

    /// <summary>Kong lists shorthands apart from the stored fields; the admin API's schema JSON leaves them out, as Kong's does.</summary>
    internal override void Describe(JsonArray fields, JsonArray checks)
    {
    }
}
