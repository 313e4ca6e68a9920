using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.AiBudget;

/// <summary>
/// A spending limit in money per consumer (or credential, or service) per day and/or month, in the currency of the
/// models' <c>input_cost</c>/<c>output_cost</c> (and of the billing prices). Counted in millionths of the currency
/// unit by the same leased counters as rate-limiting: a call reserves its most expensive estimate before it goes and
/// is settled to what the answering model's usage cost.
/// </summary>
internal sealed class AiBudgetPlugin(ClusterQuota cluster, LocalQuota local) : GatewayPlugin<AiBudgetOptions>
{
    /// <summary>The largest budget taken: 10¹² currency units is 10¹⁸ millionths, within a counter's 64 bits.</summary>
    private const double MaxBudget = 1e12;

    private static readonly ConfigField<double?> Day = Field.Number("day", 0, MaxBudget).Check(v => v is <= 0 ? "value must be greater than 0" : null);
    private static readonly ConfigField<double?> Month = Field.Number("month", 0, MaxBudget).Check(v => v is <= 0 ? "value must be greater than 0" : null);
    private static readonly ConfigField<string> LimitBy = Field.OneOf("limit_by", ["consumer", "credential", "service"]).Default("consumer");
    private static readonly ConfigField<int> EstimatedCompletionTokens = Field.Integer("estimated_completion_tokens", 0, int.MaxValue).Default(256);
    private static readonly ConfigField<bool> FaultTolerant = Field.Boolean("fault_tolerant").Default(false);
    private static readonly ConfigField<bool> HideClientHeaders = Field.Boolean("hide_client_headers").Default(false);
    private static readonly ConfigField<int> ErrorCode = Field.Integer("error_code", 0, 999)
        .Check(code => code is not (402 or 429) ? "expected one of: 402, 429" : null)
        .Default(402);

    private static readonly ConfigField<string> ErrorMessage = Field.String("error_message").Default("AI budget exceeded");

    private static readonly ConfigSchema<AiBudgetOptions> Schema = new(
        [
            Day,
            Month,
            ConfigCheck.AtLeastOneOf((c, r) => c.Get(Day) is null && c.Get(Month) is null && r.Errors.Count == 0, Day.Name, Month.Name),
            ConfigCheck.Entity((c, r) => c.Get(Day) is { } day && c.Get(Month) is { } month && month < day
                ? $"The budget for month({month}) cannot be lower than the budget for day({day})"
                : null),
            LimitBy,
            EstimatedCompletionTokens,
            FaultTolerant,
            HideClientHeaders,
            ErrorCode,
            ErrorMessage,
            AiRequest.MaxBodySize,
        ],
        c => new(
            Guid.Empty,
            Limits(c),
            c.Get(LimitBy),
            c.Get(EstimatedCompletionTokens),
            c.Get(FaultTolerant),
            c.Get(HideClientHeaders),
            c.Get(ErrorCode),
            c.Get(ErrorMessage),
            c.Get(AiRequest.MaxBodySize)));

    public override string Name => "ai-budget";

    /// <summary>After ai-rate-limiting (905): a call refused for tokens reserves no money.</summary>
    public override int Priority => 904;

    public override ConfigSchema<AiBudgetOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiBudgetOptions options, Guid instanceId) =>
        new AiBudgetHandler(options with { InstanceId = instanceId }, cluster, local);

    private static WindowLimit[] Limits(ConfigValues c)
    {
        List<WindowLimit> limits = [];
        if (c.Get(Day) is { } day)
        {
            limits.Add(new WindowLimit(RateLimitWindow.Day, AiBudgetMoney.Micros(day)));
        }

        if (c.Get(Month) is { } month)
        {
            limits.Add(new WindowLimit(RateLimitWindow.Month, AiBudgetMoney.Micros(month)));
        }

        return [.. limits];
    }
}

/// <summary>One ai-budget instance's configuration; limits in millionths of the currency unit, day before month.</summary>
internal sealed record AiBudgetOptions(
    Guid InstanceId,
    WindowLimit[] Limits,
    string LimitBy,
    int EstimatedCompletionTokens,
    bool FaultTolerant,
    bool HideClientHeaders,
    int ErrorCode,
    string ErrorMessage,
    int MaxRequestBodySize);
