using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Storage;

namespace Turnpike.Tests.Grains;

/// <summary>
/// In-memory grain storage whose writes for a grain a test holds (<see cref="Hold"/>) wait at a barrier until the
/// test releases them, so a test can call a grain while one of its writes is still being stored (what a slow
/// database does to interleaved reads), knowing the write has reached storage rather than guessing with a sleep.
/// </summary>
internal sealed class SlowWritesStorage : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> FailingReads = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(GrainId, string), object> _states = new();

    /// <summary>Holds every write of the grain keyed <paramref name="key"/> until the gate is released (or disposed).</summary>
    public static Gate Hold(string key) => Gates[key] = new Gate(key);

    /// <summary>The next <paramref name="times"/> reads of the grain keyed <paramref name="key"/> fail, as a timed-out database read does.</summary>
    public static void FailReads(string key, int times) => FailingReads[key] = times;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.Key.ToString()!;
        if (FailingReads.TryGetValue(key, out var left) && left > 0 && FailingReads.TryUpdate(key, left - 1, left))
        {
            throw new TimeoutException("storage read timed out");
        }

        if (_states.TryGetValue((grainId, stateName), out var state))
        {
            grainState.State = (T)state;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Gates.TryGetValue(grainId.Key.ToString()!, out var gate))
        {
            gate.Reached();
            await gate.Released;
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

    /// <summary>A held grain's writes: <see cref="Started"/> once the first reaches storage; all go on at <see cref="Release"/>.</summary>
    public sealed class Gate(string key) : IDisposable
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        internal Task Released => _released.Task;

        public void Release()
        {
            Gates.TryRemove(key, out _);
            _released.TrySetResult();
        }

        public void Dispose() => Release();

        internal void Reached() => _started.TrySetResult();
    }
}
