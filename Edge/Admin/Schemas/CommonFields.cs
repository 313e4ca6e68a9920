using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// The fields every entity has, read here once for every schema (<see cref="JsonFields.WriteCommon"/> writes them):
/// Kong's <c>id</c>, and the timestamps — <c>created_at</c> kept when given, <c>updated_at</c> checked and then left
/// to the table, which sets it on every write.
/// </summary>
internal static class CommonFields
{
    public static (Guid? Id, long? CreatedAt) Read(FieldReader r)
    {
        var id = r.Id("id");
        var createdAt = r.Integer("created_at", 0, int.MaxValue);
        r.Integer("updated_at", 0, int.MaxValue);
        return (id, createdAt);
    }
}
