namespace Turnpike.Edge.Ai.Balancing;

/// <summary>
/// Chooses ai-proxy-advanced's target for a call, skipping targets already tried for the request and, while another
/// is healthy, targets that failed lately (nginx's passive health: one failure takes a target out for
/// <see cref="FailTimeout"/>; when every target is down they are tried all the same, as a last resort beats none).
/// All state is this edge's, in memory; choosing takes one short lock at most.
/// </summary>
internal sealed class LlmBalancer
{
    /// <summary>How long a failed target is skipped (nginx's <c>fail_timeout</c> default, with its <c>max_fails</c> of 1).</summary>
    public static readonly TimeSpan FailTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The time constant of lowest-usage's decaying count: usage a minute old weighs a third as much.</summary>
    public static readonly TimeSpan UsageWindow = TimeSpan.FromMinutes(1);

    /// <summary>Targets per instance at most: a request's tried set is one 64-bit mask.</summary>
    public const int MaxTargets = 64;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public LlmBalancer(LlmTarget[] targets, LlmBalancerSettings settings, TimeProvider time)
    {
        if (targets.Length is 0 or > MaxTargets)
        {
            throw new ArgumentOutOfRangeException(nameof(targets), "between 1 and 64 targets");
        }

        Targets = targets;
        Models = [.. targets.Select(t => t.Settings.Model)];
        Settings = settings;
        _time = time;
    }

    public LlmTarget[] Targets { get; }

    /// <summary>Every target's model, for pricing a call any of them may answer.</summary>
    public LlmModel[] Models { get; }

    public LlmBalancerSettings Settings { get; }

    /// <summary>The next target for a call, among those not in <paramref name="tried"/> (bit i: target i); null when none is left.</summary>
    /// <param name="hashKey">consistent-hashing's key (null: round-robin for this request).</param>
    public int? Pick(string? hashKey, ulong tried)
    {
        var now = _time.GetTimestamp();
        ulong untried = 0, healthy = 0;
        for (var i = 0; i < Targets.Length; i++)
        {
            if ((tried & (1UL << i)) == 0)
            {
                untried |= 1UL << i;
                if (Targets[i].IsHealthy(now))
                {
                    healthy |= 1UL << i;
                }
            }
        }

        var candidates = healthy != 0 ? healthy : untried;
        if (candidates == 0)
        {
            return null;
        }

        return Settings.Algorithm switch
        {
            LlmBalancerAlgorithm.LowestLatency => Lowest(candidates, t => t.Latency),
            LlmBalancerAlgorithm.LowestUsage => Lowest(candidates, t => t.UsageAt(now, UsageWindow, _time) / t.Weight),
            LlmBalancerAlgorithm.ConsistentHashing when hashKey is not null => Hashed(candidates, hashKey),
            LlmBalancerAlgorithm.Priority => RoundRobin(TopGroup(candidates)),
            _ => RoundRobin(candidates),
        };
    }

    /// <summary>Whether a target not in <paramref name="tried"/> is left.</summary>
    public bool AnyLeft(ulong tried) => (tried | ~AllMask) != ulong.MaxValue;

    /// <summary>A call to target <paramref name="index"/> answered: it is healthy again, and its latency and usage count.</summary>
    public void Succeeded(int index, TimeSpan elapsed, AiUsage? usage)
    {
        var target = Targets[index];
        target.MarkUp();
        var completion = usage?.CompletionTokens ?? 0;
        target.AddLatency(Settings.LatencyPerToken ? elapsed.TotalMilliseconds / Math.Max(1, completion) : elapsed.TotalMilliseconds);
        if (usage is { } used)
        {
            var amount = Settings.TokensCountStrategy switch
            {
                "prompt-tokens" => used.PromptTokens,
                "completion-tokens" => used.CompletionTokens,
                "cost" => AiMeterNames.CostNanos(used, target.Settings.Model),
                _ => used.TotalTokens,
            };
            target.AddUsage(amount, _time.GetTimestamp(), UsageWindow, _time);
        }
    }

    /// <summary>A call to target <paramref name="index"/> failed in a way that says the target is in trouble: skip it for a while.</summary>
    public void Failed(int index) =>
        Targets[index].MarkDown(_time.GetTimestamp() + (long)(FailTimeout.TotalSeconds * _time.TimestampFrequency));

    private ulong AllMask => Targets.Length == 64 ? ulong.MaxValue : (1UL << Targets.Length) - 1;

    /// <summary>nginx's smooth weighted round-robin over <paramref name="candidates"/>: exact shares, spread out (5,1,1 gives a a b a c a a).</summary>
    private int RoundRobin(ulong candidates)
    {
        lock (_lock)
        {
            long total = 0;
            var best = -1;
            for (var i = 0; i < Targets.Length; i++)
            {
                if ((candidates & (1UL << i)) == 0)
                {
                    continue;
                }

                var target = Targets[i];
                target.Current += target.Weight;
                total += target.Weight;
                if (best < 0 || target.Current > Targets[best].Current)
                {
                    best = i;
                }
            }

            Targets[best].Current -= total;
            return best;
        }
    }

    /// <summary>priority: the candidates of the highest weight; lower weights are the fallback groups.</summary>
    private ulong TopGroup(ulong candidates)
    {
        var top = 0;
        for (var i = 0; i < Targets.Length; i++)
        {
            if ((candidates & (1UL << i)) != 0)
            {
                top = Math.Max(top, Targets[i].Weight);
            }
        }

        ulong group = 0;
        for (var i = 0; i < Targets.Length; i++)
        {
            if ((candidates & (1UL << i)) != 0 && Targets[i].Weight == top)
            {
                group |= 1UL << i;
            }
        }

        return group;
    }

    /// <summary>The candidate with the lowest score; the first in configuration order among equals.</summary>
    private int Lowest(ulong candidates, Func<LlmTarget, double> score)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        for (var i = 0; i < Targets.Length; i++)
        {
            if ((candidates & (1UL << i)) != 0 && score(Targets[i]) is var s && (best < 0 || s < bestScore))
            {
                (best, bestScore) = (i, s);
            }
        }

        return best;
    }

    /// <summary>
    /// Weighted rendezvous hashing: each target scores the key, the highest wins. A key moves only when its target
    /// goes (or comes back), and every edge computes the same choice with no shared state.
    /// </summary>
    private int Hashed(ulong candidates, string key)
    {
        var keyHash = Fnv1a(key);
        var best = -1;
        var bestScore = double.MinValue;
        for (var i = 0; i < Targets.Length; i++)
        {
            if ((candidates & (1UL << i)) == 0)
            {
                continue;
            }

            // A uniform draw in (0, 1) per (key, target); -w / ln(u) gives each target a share proportional to its weight.
            var u = ((Mix(keyHash ^ (ulong)(i + 1) * 0x9E3779B97F4A7C15UL) >> 11) + 0.5) / (1UL << 53);
            var score = -Targets[i].Weight / Math.Log(u);
            if (score > bestScore)
            {
                (best, bestScore) = (i, score);
            }
        }

        return best;
    }

    /// <summary>FNV-1a over the key's UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static ulong Fnv1a(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>SplitMix64's finaliser: spreads close inputs over all 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
