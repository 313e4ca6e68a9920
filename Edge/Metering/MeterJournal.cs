using System.Text;
using System.Text.Json;
using Turnpike.Metering;

namespace Turnpike.Edge.Metering;

/// <summary>
/// Sealed batches on disk until the cluster acknowledges them: one file per edge instance, a JSON line per
/// batch and per acknowledgement, flushed to disk before a batch is sent. The file is locked while its edge
/// runs; an edge starting on the directory takes over unlocked files (their edge died) and sends what they
/// hold under the dead instance's name, so meter grains recognise anything already applied.
/// </summary>
internal sealed class MeterJournal : IDisposable
{
    private const string Extension = ".journal";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly FileStream _file;
    private readonly Lock _lock = new();
    private int _unacknowledged;
    private bool _disposed;

    private MeterJournal(FileStream file, string instance)
    {
        _file = file;
        Instance = instance;
    }

    public string Instance { get; }

    /// <summary>A new journal for a new edge instance in <paramref name="directory"/>.</summary>
    public static MeterJournal Create(string directory, string instance)
    {
        Directory.CreateDirectory(directory);
        var file = new FileStream(Path.Combine(directory, instance + Extension), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new MeterJournal(file, instance);
    }

    /// <summary>Unacknowledged batches of dead edges' journals in <paramref name="directory"/>, each with a callback that deletes its file once they are sent.</summary>
    public static IEnumerable<(string Instance, List<MeterBatch> Pending, Action Done)> TakeOverOrphans(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var path in Directory.GetFiles(directory, "*" + Extension))
        {
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // a live edge holds it
            }

            var pending = Read(file);
            yield return (Path.GetFileNameWithoutExtension(path), pending, () =>
            {
                file.Dispose();
                File.Delete(path);
            }
            );
        }
    }

    public void Append(MeterBatch batch)
    {
        lock (_lock)
        {
            Write(new JournalLine { Batch = batch });
            _unacknowledged++;
        }
    }

    public void Acknowledge(long sequence)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _unacknowledged--;
            if (_unacknowledged == 0)
            {
                // Everything is acknowledged: start the file afresh rather than let it grow.
                _file.SetLength(0);
                _file.Flush(flushToDisk: true);
                return;
            }

            Write(new JournalLine { Ack = sequence });
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _file.Dispose();
        }
    }

    private void Write(JournalLine line)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, Json);
        _file.Seek(0, SeekOrigin.End);
        _file.Write(bytes);
        _file.WriteByte((byte)'\n');
        _file.Flush(flushToDisk: true);
    }

    private static List<MeterBatch> Read(FileStream file)
    {
        var batches = new Dictionary<long, MeterBatch>();
        using var reader = new StreamReader(file, Encoding.UTF8, leaveOpen: true);
        while (reader.ReadLine() is { } text)
        {
            JournalLine? line;
            try
            {
                line = JsonSerializer.Deserialize<JournalLine>(text, Json);
            }
            catch (JsonException)
            {
                break; // a line cut short by the crash: nothing after it was written either
            }

            if (line?.Batch is { } batch)
            {
                batches[batch.Sequence] = batch;
            }
            else if (line?.Ack is { } ack)
            {
                batches.Remove(ack);
            }
        }

        return [.. batches.Values.OrderBy(b => b.Sequence)];
    }

    private sealed record JournalLine
    {
        public MeterBatch? Batch { get; init; }

        public long? Ack { get; init; }
    }
}
