namespace Turnpike.Edge.Schema;

/// <summary>Validation errors keyed by field path (<c>config.header_name</c>, <c>paths[0]</c>); the first error of a field stands.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;

    public IReadOnlyDictionary<string, string> All => _errors;

    public void Add(string path, string message) => _errors.TryAdd(path, message);

    public void AddAll(FieldErrors other, string prefix)
    {
        foreach (var (path, message) in other._errors)
        {
            Add(prefix + path, message);
        }
    }

    public AdminError ToSchemaViolation() => AdminError.SchemaViolation(_errors);
}
