using Orleans.Runtime;
using Orleans.Storage;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// Keeps states in memory as a storage provider would, and can fail partition writes to stand for a crash.
/// Thread-safe as real providers are: the route table writes its partitions in parallel.
/// </summary>
internal sealed class CrashableGrainStorage : IGrainStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, object> _states = [];
    private readonly List<string> _writes = [];

    public bool FailPartitionWrites { get; set; }

    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
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
            if (_states.TryGetValue(stateName, out var state))
            {
                grainState.State = (T)state;
                grainState.RecordExists = true;
            }
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (FailPartitionWrites && stateName.StartsWith("routetable-p", StringComparison.Ordinal))
        {
            throw new IOException("storage went away");
        }

        lock (_gate)
        {
            _writes.Add(stateName);
            _states[stateName] = grainState.State!;
        }
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            _states.Remove(stateName);
        }

        return Task.CompletedTask;
    }
}
