using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// Keeps states in memory as a storage provider would: each state as serialized bytes (what is read back is a copy,
/// never the object the grain goes on changing), with a version checked on every write as ETags are, and can fail
/// the writes of chosen states to stand for a crash. Thread-safe as real providers are: the route table writes its
/// partitions in parallel.
/// </summary>
internal sealed class CrashableGrainStorage : IGrainStorage
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Bytes, int Version)> _states = [];
    private readonly List<(string Name, int Bytes)> _writes = [];

    /// <summary>Writes of the states whose names start with this fail (null: none).</summary>
    public string? FailWritesOf { get; set; }

    /// <summary>The names of the states written, in order.</summary>
    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes.Select(w => w.Name)];
            }
        }
    }

    /// <summary>The bytes written, in all.</summary>
    public long BytesWritten
    {
        get
        {
            lock (_gate)
            {
                return _writes.Sum(w => (long)w.Bytes);
            }
        }
    }

    public void ClearWrites()
    {
        lock (_gate)
        {
            _writes.Clear();
        }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            if (_states.TryGetValue(stateName, out var stored))
            {
                grainState.State = Serializer.Deserialize<T>(stored.Bytes);
                grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                grainState.RecordExists = true;
            }
            else
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (FailWritesOf is { } failing && stateName.StartsWith(failing, StringComparison.Ordinal))
        {
            throw new IOException("storage went away");
        }

        var bytes = Serializer.SerializeToArray(grainState.State);
        lock (_gate)
        {
            var version = _states.TryGetValue(stateName, out var stored) ? stored.Version : 0;
            var expected = version == 0 ? null : version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (grainState.ETag != expected)
            {
                throw new InconsistentStateException($"Version conflict writing {stateName}: stored {expected ?? "none"}, given {grainState.ETag ?? "none"}");
            }

            _states[stateName] = (bytes, version + 1);
            _writes.Add((stateName, bytes.Length));
            grainState.ETag = (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            _states.Remove(stateName);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }
}
