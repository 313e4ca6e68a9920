using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Storage;

namespace Turnpike.Tests.Grains;

/// <summary>
/// In-memory grain storage whose writes for grains keyed <c>slow-…</c> take <see cref="Delay"/>, so a test can
/// call a grain while one of its writes is still being stored (what a slow database does to interleaved reads).
/// </summary>
internal sealed class SlowWritesStorage : IGrainStorage
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<(GrainId, string), object> _states = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((grainId, stateName), out var state))
        {
            grainState.State = (T)state;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainId.Key.ToString()!.StartsWith("slow-", StringComparison.Ordinal))
        {
            await Task.Delay(Delay);
        }

        _states[(grainId, stateName)] = grainState.State!;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.TryRemove((grainId, stateName), out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
