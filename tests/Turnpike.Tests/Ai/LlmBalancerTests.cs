using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.Balancing;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>ai-proxy-advanced's choice of target: each algorithm, passive health on a fake clock, and failover order.</summary>
[Fast]
public sealed class LlmBalancerTests
{
    private readonly FakeTimeProvider _time = new();

    private LlmBalancer Balancer(LlmBalancerAlgorithm algorithm, params int[] weights) => Balancer(new LlmBalancerSettings { Algorithm = algorithm }, weights);

    private LlmBalancer Balancer(LlmBalancerSettings settings, params int[] weights) => new(
        [.. weights.Select((w, i) => new LlmTarget(Settings("model-" + i, inputCost: i + 1), w, null))],
        settings,
        _time);

    private static AiProxySettings Settings(string model, double inputCost) => new(
        LlmRouteType.Chat,
        new LlmModel { Provider = "openai", Name = model, InputCost = inputCost },
        LlmProviders.Get("openai", null, null),
        LlmAuth.None,
        LlmResponseStreaming.Allow,
        ModelNameHeader: true);

    private static int[] Picks(LlmBalancer balancer, int count, string? key = null) => [.. Enumerable.Range(0, count).Select(_ => balancer.Pick(key, 0)!.Value)];

    [Fact]
    public void Round_robin_gives_each_target_its_weights_share_spread_out()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.RoundRobin, 5, 1, 1);

        // nginx's smooth weighted round-robin: exact shares per cycle, the heavy target not sent a burst.
        Assert.Equal([0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0], Picks(balancer, 14));
    }

    [Fact]
    public void A_failed_target_is_skipped_until_its_fail_timeout_passes()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.RoundRobin, 1, 1);
        balancer.Failed(0);

        Assert.Equal([1, 1, 1], Picks(balancer, 3));

        _time.Advance(LlmBalancer.FailTimeout);
        Assert.Contains(0, Picks(balancer, 2));
    }

    [Fact]
    public void When_every_target_is_down_they_are_still_tried()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.RoundRobin, 1, 1);
        balancer.Failed(0);
        balancer.Failed(1);

        Assert.NotNull(balancer.Pick(null, 0));
    }

    [Fact]
    public void Failover_never_picks_a_target_the_request_already_tried_and_ends_when_all_are()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.RoundRobin, 1, 1, 1);
        var tried = 0UL;
        var order = new List<int>();
        while (balancer.Pick(null, tried) is { } next)
        {
            order.Add(next);
            tried |= 1UL << next;
        }

        Assert.Equal([0, 1, 2], order.Order());
        Assert.False(balancer.AnyLeft(tried));
        Assert.True(balancer.AnyLeft(0b011));
    }

    [Fact]
    public void Priority_sends_everything_to_the_highest_weight_group_and_falls_back_group_by_group()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.Priority, 10, 10, 5, 1);

        Assert.Equal([0, 1, 0, 1], Picks(balancer, 4));

        // A request that failed on both of the first group goes to the next one, then the last.
        Assert.Equal(2, balancer.Pick(null, 0b0011));
        Assert.Equal(3, balancer.Pick(null, 0b0111));

        // A first group that is down sends new requests to the next group without trying it first.
        balancer.Failed(0);
        balancer.Failed(1);
        Assert.Equal([2, 2], Picks(balancer, 2));
    }

    [Fact]
    public void Lowest_latency_prefers_the_faster_target_once_each_has_answered()
    {
        var balancer = Balancer(new LlmBalancerSettings { Algorithm = LlmBalancerAlgorithm.LowestLatency, LatencyPerToken = false }, 1, 1);

        // Unmeasured targets come first, so each gets measured.
        Assert.Equal(0, balancer.Pick(null, 0));
        balancer.Succeeded(0, TimeSpan.FromMilliseconds(400), new AiUsage(10, 10));
        Assert.Equal(1, balancer.Pick(null, 0));
        balancer.Succeeded(1, TimeSpan.FromMilliseconds(50), new AiUsage(10, 10));

        Assert.Equal([1, 1, 1], Picks(balancer, 3));
    }

    [Fact]
    public void Lowest_latency_with_tpot_divides_by_the_tokens_produced()
    {
        var balancer = Balancer(new LlmBalancerSettings { Algorithm = LlmBalancerAlgorithm.LowestLatency, LatencyPerToken = true }, 1, 1);

        // Target 0 took longer in all but wrote ten times the tokens: per token it is the faster one.
        balancer.Succeeded(0, TimeSpan.FromMilliseconds(400), new AiUsage(10, 100));
        balancer.Succeeded(1, TimeSpan.FromMilliseconds(100), new AiUsage(10, 10));

        Assert.Equal(0, balancer.Pick(null, 0));
    }

    [Fact]
    public void Lowest_usage_sends_to_the_target_with_the_fewest_tokens_per_weight_and_forgets_old_usage()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.LowestUsage, 2, 1);
        balancer.Succeeded(0, TimeSpan.FromMilliseconds(1), new AiUsage(100, 50)); // 150 tokens / weight 2 = 75
        balancer.Succeeded(1, TimeSpan.FromMilliseconds(1), new AiUsage(60, 20)); // 80 / 1 = 80

        Assert.Equal(0, balancer.Pick(null, 0));

        balancer.Succeeded(0, TimeSpan.FromMilliseconds(1), new AiUsage(100, 0)); // 250 / 2 = 125
        Assert.Equal(1, balancer.Pick(null, 0));

        // Usage decays: after ten minutes both are near zero and the earlier totals no longer decide.
        _time.Advance(TimeSpan.FromMinutes(10));
        balancer.Succeeded(1, TimeSpan.FromMilliseconds(1), new AiUsage(10, 0));
        Assert.Equal(0, balancer.Pick(null, 0));
    }

    [Fact]
    public void Lowest_usage_by_cost_counts_each_models_prices()
    {
        // Same tokens, but target 1's input costs twice as much (Settings gives input_cost i + 1).
        var balancer = Balancer(new LlmBalancerSettings { Algorithm = LlmBalancerAlgorithm.LowestUsage, TokensCountStrategy = "cost" }, 1, 1);
        balancer.Succeeded(0, TimeSpan.FromMilliseconds(1), new AiUsage(1000, 0));
        balancer.Succeeded(1, TimeSpan.FromMilliseconds(1), new AiUsage(600, 0));

        Assert.Equal(0, balancer.Pick(null, 0));
    }

    [Fact]
    public void Consistent_hashing_keeps_a_key_on_its_target_and_moves_only_the_keys_of_a_failed_one()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.ConsistentHashing, 1, 1, 1);
        var keys = Enumerable.Range(0, 300).Select(i => "consumer-" + i).ToArray();
        var before = keys.ToDictionary(k => k, k => balancer.Pick(k, 0)!.Value);

        // Stable per key, and spread over all targets.
        Assert.All(keys, k => Assert.Equal(before[k], balancer.Pick(k, 0)));
        Assert.All(Enumerable.Range(0, 3), t => Assert.InRange(before.Values.Count(v => v == t), 60, 140));

        // Another balancer (another edge) with the same targets agrees.
        var other = Balancer(LlmBalancerAlgorithm.ConsistentHashing, 1, 1, 1);
        Assert.All(keys, k => Assert.Equal(before[k], other.Pick(k, 0)));

        balancer.Failed(2);
        Assert.All(keys, k => Assert.Equal(before[k] == 2 ? balancer.Pick(k, 0) : before[k], balancer.Pick(k, 0)));
        Assert.All(keys, k => Assert.NotEqual(2, balancer.Pick(k, 0)));
    }

    [Fact]
    public void Consistent_hashing_without_a_key_falls_back_to_round_robin()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.ConsistentHashing, 1, 1);

        Assert.Equal([0, 1, 0, 1], Picks(balancer, 4));
    }

    [Fact]
    public void A_target_that_answers_again_is_healthy_at_once()
    {
        var balancer = Balancer(LlmBalancerAlgorithm.Priority, 10, 1);
        balancer.Failed(0);
        Assert.Equal(1, balancer.Pick(null, 0));

        balancer.Succeeded(0, TimeSpan.FromMilliseconds(1), null);
        Assert.Equal(0, balancer.Pick(null, 0));
    }
}
