using Turnpike.Tests.Ai;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>ai-budget configurations that would overflow a counter or make a budget meaningless: refused with Kong's 400 fields.</summary>
[Fast]
public sealed class AiBudgetConfigTests
{
    [Theory]
    [InlineData("""{"day": 1e300}""", "config.day")]
    [InlineData("""{"month": 1e13}""", "config.month")]
    [InlineData("""{"day": -1}""", "config.day")]
    [InlineData("""{"day": 0}""", "config.day")]
    [InlineData("""{"day": "lots"}""", "config.day")]
    [InlineData("""{"day": 1, "estimated_completion_tokens": -5}""", "config.estimated_completion_tokens")]
    [InlineData("""{"day": 1, "limit_by": "ip"}""", "config.limit_by")]
    public void Budgets_a_counter_cannot_hold_or_that_mean_nothing_are_refused(string config, string field) =>
        Assert.Contains(field, AiBudgetSchemaTests.Read(config).Errors.Keys);

    [Fact]
    public void The_largest_budget_taken_fits_a_counter_in_millionths()
    {
        var (stored, errors) = AiBudgetSchemaTests.Read("""{"day": 1e12, "month": 1e12}""");

        Assert.Empty(errors);
        Assert.True(Turnpike.Edge.Plugins.AiBudget.AiBudgetMoney.Micros(stored["month"]!.GetValue<double>()) < long.MaxValue / 2);
    }
}
