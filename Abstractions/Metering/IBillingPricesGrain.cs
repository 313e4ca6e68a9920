namespace Turnpike.Metering;

/// <summary>The price list: a price per consumer id, and <see cref="Guid.Empty"/> for everyone without one.</summary>
public interface IBillingPricesGrain : IGrainWithStringKey
{
    public const string DefaultKey = "default";

    Task Set(Guid consumerId, BillingPrice? price);

    [AlwaysInterleave, ReadOnly]
    Task<Dictionary<Guid, BillingPrice>> All();
}
