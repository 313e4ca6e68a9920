using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Ai.SemanticCache;

internal sealed class SemanticCacheOptionsValidator : IValidateOptions<SemanticCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, SemanticCacheOptions options)
    {
        List<string> problems = [];
        if (options.MaxEntries is < 1 or > 1_000_000)
        {
            problems.Add($"{SemanticCacheOptions.Section}:MaxEntries must be between 1 and 1000000");
        }

        if (options.MemorySize is < 1024 * 1024 or > 64L * 1024 * 1024 * 1024)
        {
            problems.Add($"{SemanticCacheOptions.Section}:MemorySize must be between 1 MiB and 64 GiB");
        }

        if (options.MaxAnswerSize < 1024 || options.MaxAnswerSize > options.MemorySize / 2)
        {
            problems.Add($"{SemanticCacheOptions.Section}:MaxAnswerSize must be at least 1 KiB and at most half of MemorySize");
        }

        if (options.RedisCandidates is < 1 or > 100_000)
        {
            problems.Add($"{SemanticCacheOptions.Section}:RedisCandidates must be between 1 and 100000");
        }

        if (options.EmbeddingsTimeout <= TimeSpan.Zero || options.EmbeddingsTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{SemanticCacheOptions.Section}:EmbeddingsTimeout must be positive and at most five minutes");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
