namespace Turnpike.RouteTable;

/// <summary>
/// What the route table grain checks of a table-replacing write (a declarative file) across entities — unique names
/// and ids, references that name something — run where the file is read, without a grain. A file's mistakes are then
/// reported as its own, at the entity that has them (before an edge's host starts, for <c>--config</c>), rather than
/// as the grain's refusal. The grain checks again when it applies the write.
/// </summary>
public static class RouteTableReplacement
{
    /// <returns>The first problem and the index in <see cref="RouteTableWrite.Upserts"/> of the entity it is about (-1 for none); no error when the table is whole.</returns>
    public static (AdminError? Error, int FailedAt) Check(RouteTableWrite write)
    {
        var result = RouteTableContent.Empty.Apply(write with { ReplaceAll = true }, now: 0);
        return (result.Error, result.FailedAt);
    }
}
