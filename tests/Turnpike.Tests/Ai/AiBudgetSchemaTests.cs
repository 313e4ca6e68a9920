using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.AiBudget;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>ai-budget's configuration and its money arithmetic: budgets in currency units, counted in millionths, never under.</summary>
[Fast]
public sealed class AiBudgetSchemaTests
{
    // Reading a configuration touches no counter: the cluster's grain factory is never called here.
    internal static AiBudgetPlugin Plugin => new(
        new ClusterQuota(null!, Options.Create(new QuotaOptions()), new RateLimitMetrics(), TimeProvider.System, NullLogger<ClusterQuota>.Instance),
        new LocalQuota(TimeProvider.System));

    internal static (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        var errors = new FieldErrors();
        var stored = Plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors.All);
    }

    [Fact]
    public void A_day_budget_gets_the_defaults_402_consumer_and_fail_closed()
    {
        var (stored, errors) = Read("""{"day": 12.5}""");

        Assert.Empty(errors);
        Assert.Equal(402, stored["error_code"]!.GetValue<int>());
        Assert.Equal("consumer", stored["limit_by"]!.GetValue<string>());
        Assert.False(stored["fault_tolerant"]!.GetValue<bool>());
        Assert.Equal("AI budget exceeded", stored["error_message"]!.GetValue<string>());
        Assert.NotNull(Plugin.CreateHandler(JsonNode.Parse(stored.ToJsonString())!.AsObject(), Guid.NewGuid()));
    }

    [Fact]
    public void A_budget_needs_a_day_or_a_month_and_a_month_no_smaller_than_the_day()
    {
        Assert.Equal("at least one of these fields must be non-empty: 'config.day', 'config.month'", Read("{}").Errors["config.@entity"]);
        Assert.Equal("The budget for month(5) cannot be lower than the budget for day(10)", Read("""{"day": 10, "month": 5}""").Errors["config.@entity"]);
        Assert.Empty(Read("""{"day": 10, "month": 200}""").Errors);
    }

    [Fact]
    public void Error_codes_other_than_402_and_429_are_refused()
    {
        Assert.Equal("expected one of: 402, 429", Read("""{"day": 1, "error_code": 200}""").Errors["config.error_code"]);
        Assert.Empty(Read("""{"day": 1, "error_code": 429}""").Errors);
    }

    [Theory]
    [InlineData(1.0, 1_000_000)]
    [InlineData(0.000001, 1)]
    [InlineData(12.345678, 12_345_678)]
    public void Budgets_are_counted_in_millionths_of_the_currency(double units, long micros) =>
        Assert.Equal(micros, AiBudgetMoney.Micros(units));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(2_500_000, 2500)]
    public void A_cost_in_nanos_is_rounded_up_to_the_millionth_so_a_budget_never_undercounts(long nanos, long micros) =>
        Assert.Equal(micros, AiBudgetMoney.MicrosOfNanos(nanos));

    [Theory]
    [InlineData(3500, "0.0035")]
    [InlineData(12_500_000, "12.5")]
    [InlineData(0, "0")]
    public void Header_values_are_currency_units(long micros, string text) => Assert.Equal(text, AiBudgetMoney.Text(micros));

    [Fact]
    public void A_call_that_may_fail_over_is_priced_at_its_dearest_target()
    {
        // 15 prompt tokens estimated (two messages), 10 completion: 15×1 + 10×2 nanos-per-token×1000 at the cheap model.
        var body = JsonNode.Parse("""{"max_tokens": 10, "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello."}]}""")!.AsObject();
        var cheap = new LlmModel { Provider = "openai", InputCost = 1, OutputCost = 2 };
        var dear = new LlmModel { Provider = "anthropic", InputCost = 3, OutputCost = 15 };

        Assert.Equal(35_000, new AiCallEstimate(body, [cheap]).MaxCostNanos(256));
        Assert.Equal(195_000, new AiCallEstimate(body, [cheap, dear]).MaxCostNanos(256));
    }

    [Fact]
    public void Without_max_tokens_the_completion_is_estimated_at_the_models_max_tokens_else_the_plugins()
    {
        var body = JsonNode.Parse("""{"messages": [{"role": "user", "content": "abcd"}]}""")!.AsObject(); // 5 prompt tokens
        var model = new LlmModel { Provider = "openai", InputCost = 0, OutputCost = 1 };

        Assert.Equal(256_000, new AiCallEstimate(body, [model]).MaxCostNanos(256));
        Assert.Equal(64_000, new AiCallEstimate(body, [model with { MaxTokens = 64 }]).MaxCostNanos(256));
    }
}
