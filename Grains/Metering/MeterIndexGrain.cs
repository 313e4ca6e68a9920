namespace Turnpike.Metering;

/// <summary>The set of hours with meters (a few thousand a year), stored.</summary>
public sealed class MeterIndexGrain([PersistentState("meter-index", GrainStorageNames.Default)] IPersistentState<SortedSet<long>> state) : Grain, IMeterIndexGrain
{
    public async Task Add(long hour)
    {
        if (state.State.Add(hour))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<long[]> Hours(long from, long to) => Task.FromResult(from >= to ? [] : state.State.GetViewBetween(from, to - 1).ToArray());
}
