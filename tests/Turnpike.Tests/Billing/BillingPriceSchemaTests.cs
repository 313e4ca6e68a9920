using System.Text.Json.Nodes;
using Turnpike.Edge.Billing;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Billing;

[Fast]
public sealed class BillingPriceSchemaTests
{
    private static (Turnpike.Metering.BillingPrice? Price, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        var errors = new FieldErrors();
        return (BillingPriceSchema.Read(JsonNode.Parse(json)!.AsObject(), errors), errors.All);
    }

    [Fact]
    public void An_empty_body_is_a_free_price_in_USD()
    {
        var (price, errors) = Read("{}");

        Assert.Empty(errors);
        Assert.Equal(0m, price!.Per1000Requests);
        Assert.Empty(price.PerCounter);
        Assert.Equal("USD", price.Currency);
    }

    [Fact]
    public void Prices_are_kept_exact_whether_numbers_or_text()
    {
        var (price, errors) = Read("""{"per_1000_requests": "2.5", "per_counter": {"ai_cost_nanos:openai/gpt-4o": 0.000000001, "bytes_out": 0}, "currency": "EUR"}""");

        Assert.Empty(errors);
        Assert.Equal(2.5m, price!.Per1000Requests);
        Assert.Equal(0.000000001m, price.PerCounter["ai_cost_nanos:openai/gpt-4o"]);
        Assert.Equal(0m, price.PerCounter["bytes_out"]);
        Assert.Equal("EUR", price.Currency);
    }

    [Fact]
    public void Every_problem_is_named_at_its_field_unknown_fields_included()
    {
        var (price, errors) = Read("""{"per_1000_requests": -1, "per_counter": {"x": "lots"}, "currency": "euro", "colour": "red"}""");

        Assert.Null(price);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["per_1000_requests"] = "expected a number, 0 or more",
                ["per_counter.x"] = "expected a number, 0 or more",
                ["currency"] = "expected an ISO 4217 code such as USD",
                ["colour"] = "unknown field",
            },
            errors);
    }

    [Fact]
    public void Per_counter_must_be_a_map() =>
        Assert.Equal("expected a map of counter names to prices", Read("""{"per_counter": [1]}""").Errors["per_counter"]);
}
