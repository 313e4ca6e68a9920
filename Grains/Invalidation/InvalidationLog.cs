namespace Turnpike.Invalidation;

/// <summary>
/// A grain's in-memory log of invalidations (proxy-cache purges, revoked oauth2 tokens) that edges read from a cursor:
/// bounded, so past <paramref name="capacity"/> entries the oldest go, and a reader that had not read them, or that read a
/// previous activation's log (another <see cref="Epoch"/>), is told of the gap and drops all it cached. A reader's first
/// read (epoch empty) only learns where the log is.
/// </summary>
public sealed class InvalidationLog<T>(int capacity)
{
    private readonly Queue<(long Sequence, T Entry)> _log = new();

    /// <summary>This log's identity: a reactivated grain starts another log, and readers of the old one see a gap.</summary>
    public Guid Epoch { get; } = Guid.NewGuid();

    /// <summary>The sequence number of the last entry appended (0 before the first).</summary>
    public long Last { get; private set; }

    public long Append(T entry)
    {
        _log.Enqueue((++Last, entry));
        if (_log.Count > capacity)
        {
            _log.Dequeue();
        }

        return Last;
    }

    /// <summary>The entries after <paramref name="cursor"/> for a reader of log <paramref name="epoch"/>, or a gap.</summary>
    public (bool Gap, T[] Entries) Since(Guid epoch, long cursor)
    {
        if (epoch == Guid.Empty)
        {
            return (false, []);
        }

        var oldest = _log.Count > 0 ? _log.Peek().Sequence : Last + 1;
        return epoch != Epoch || cursor + 1 < oldest ? (true, []) : (false, [.. _log.Where(e => e.Sequence > cursor).Select(e => e.Entry)]);
    }
}
