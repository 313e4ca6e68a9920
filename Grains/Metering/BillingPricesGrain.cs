namespace Turnpike.Metering;

/// <summary>The price list, stored; small enough to keep whole in one grain.</summary>
public sealed class BillingPricesGrain(
    [PersistentState("prices", GrainStorageNames.Default)] IPersistentState<Dictionary<Guid, BillingPrice>> state) : Grain, IBillingPricesGrain
{
    public async Task Set(Guid consumerId, BillingPrice? price)
    {
        if (price is null)
        {
            state.State.Remove(consumerId);
        }
        else
        {
            state.State[consumerId] = price;
        }

        await state.WriteStateAsync();
    }

    public Task<Dictionary<Guid, BillingPrice>> All() => Task.FromResult(new Dictionary<Guid, BillingPrice>(state.State));
}
