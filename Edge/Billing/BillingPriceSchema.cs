using System.Globalization;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;
using Turnpike.Metering;

namespace Turnpike.Edge.Billing;

/// <summary>
/// The body of <c>PUT /billing/prices/{consumer|default}</c>, declared once: <c>per_1000_requests</c> and each
/// <c>per_counter</c> price a decimal of 0 or more (a number or its text, kept exact), <c>currency</c> an ISO 4217 code
/// (USD when absent). Every error is collected in Kong's shape, unknown fields included.
/// </summary>
internal static class BillingPriceSchema
{
    private const string NotAPrice = "expected a number, 0 or more";

    private static readonly ConfigField<decimal> Per1000Requests = new(
        "per_1000_requests", Field.Describe("number", false), r => Price(r, "per_1000_requests"), n => n.GetValue<decimal>(), 0m, null, []);

    private static readonly ConfigField<Dictionary<string, decimal>?> PerCounter = Field.Custom(
        "per_counter",
        new JsonObject { ["type"] = "map", ["keys"] = new JsonObject { ["type"] = "string" }, ["values"] = Field.Describe("number", false) },
        (r, _) => Counters(r, "per_counter"),
        n => new Dictionary<string, decimal>(n.AsObject().Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<decimal>())), StringComparer.Ordinal));

    private static readonly ConfigField<string> Currency = new(
        "currency", Field.Describe("string", false), r => CurrencyCode(r, "currency"), n => n.GetValue<string>(), "USD", null, []);

    private static readonly ConfigSchema<BillingPrice> Schema = new(
        [Per1000Requests, PerCounter, Currency],
        c => new BillingPrice
        {
            Per1000Requests = c.Get(Per1000Requests),
            PerCounter = c.Get(PerCounter) ?? new(StringComparer.Ordinal),
            Currency = c.Get(Currency),
        });

    /// <summary>The price a body gives, or null with <paramref name="errors"/> saying why.</summary>
    public static BillingPrice? Read(JsonObject json, FieldErrors errors)
    {
        var stored = Schema.Read(new FieldReader(json, errors));
        return errors.Count == 0 ? Schema.Bind(stored) : null;
    }

    private static JsonNode? Price(FieldReader r, string name) =>
        r.Raw(name) is { } node ? Decimal(node) is { } price ? JsonValue.Create(price) : Problem(r, name, NotAPrice) : null;

    private static JsonNode? Counters(FieldReader r, string name)
    {
        var node = r.Raw(name);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject counters)
        {
            return Problem(r, name, "expected a map of counter names to prices");
        }

        var prices = new JsonObject();
        foreach (var (counter, value) in counters)
        {
            if (TextRules.Control(counter) is { } problem)
            {
                r.Error(name, "counter names " + problem);
            }
            else if (value is not null && Decimal(value) is { } price)
            {
                prices[counter] = price;
            }
            else if (value is not null)
            {
                r.Error($"{name}.{counter}", NotAPrice);
            }
        }

        return prices;
    }

    private static JsonNode? CurrencyCode(FieldReader r, string name)
    {
        var node = r.Raw(name);
        if (node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var code) && code.Length == 3 && code.All(char.IsAsciiLetterUpper)
            ? JsonValue.Create(code)
            : Problem(r, name, "expected an ISO 4217 code such as USD");
    }

    private static decimal? Decimal(JsonNode node) =>
        node is JsonValue value
        && (value.TryGetValue<decimal>(out var number) || (value.TryGetValue<string>(out var text) && decimal.TryParse(text, CultureInfo.InvariantCulture, out number)))
        && number >= 0
            ? number
            : null;

    private static JsonNode? Problem(FieldReader r, string name, string message)
    {
        r.Error(name, message);
        return null;
    }
}
