using Orleans.Runtime;
using Orleans.Storage;

namespace Turnpike.Tests.Infrastructure;

/// <summary>Keeps states in memory as a storage provider would, and can fail partition writes to stand for a crash.</summary>
internal sealed class CrashableGrainStorage : IGrainStorage
{
    private readonly Dictionary<string, object> _states = [];

    public bool FailPartitionWrites { get; set; }

    public List<string> Writes { get; } = [];

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue(stateName, out var state))
        {
            grainState.State = (T)state;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (FailPartitionWrites && stateName.StartsWith("routetable-p", StringComparison.Ordinal))
        {
            throw new IOException("storage went away");
        }

        Writes.Add(stateName);
        _states[stateName] = grainState.State!;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.Remove(stateName);
        return Task.CompletedTask;
    }
}
