namespace Turnpike.Cluster;

/// <summary>
/// A grain could not read or write its durable state (the database is down or unreachable). Nothing was
/// confirmed: a write that fails with it may or may not have been stored, and the caller should try again.
/// </summary>
[GenerateSerializer]
[Alias("Turnpike.StateStoreUnavailableException")]
public sealed class StateStoreUnavailableException : Exception
{
    public StateStoreUnavailableException()
    {
    }

    public StateStoreUnavailableException(string message)
        : base(message)
    {
    }

    public StateStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
