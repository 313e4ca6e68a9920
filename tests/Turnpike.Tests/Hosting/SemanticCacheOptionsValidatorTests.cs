using Turnpike.Edge.Ai.SemanticCache;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class SemanticCacheOptionsValidatorTests
{
    private readonly SemanticCacheOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new SemanticCacheOptions()).Succeeded);

    // Keyed by name: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, SemanticCacheOptions> Invalid = new()
    {
        ["MaxEntries"] = new() { MaxEntries = 0 },
        ["MemorySize"] = new() { MemorySize = 1024, MaxAnswerSize = 1024 },
        ["MaxAnswerSize"] = new() { MaxAnswerSize = 40 * 1024 * 1024 },
        ["RedisCandidates"] = new() { RedisCandidates = 100_001 },
        ["EmbeddingsTimeout"] = new() { EmbeddingsTimeout = TimeSpan.Zero },
    };

    [Theory]
    [InlineData("MaxEntries", "Turnpike:AiSemanticCache:MaxEntries must be between 1 and 1000000")]
    [InlineData("MaxAnswerSize", "Turnpike:AiSemanticCache:MaxAnswerSize must be at least 1 KiB and at most half of MemorySize")]
    [InlineData("RedisCandidates", "Turnpike:AiSemanticCache:RedisCandidates must be between 1 and 100000")]
    [InlineData("EmbeddingsTimeout", "Turnpike:AiSemanticCache:EmbeddingsTimeout must be positive and at most five minutes")]
    public void Each_setting_out_of_range_is_refused_with_its_key(string setting, string message) =>
        Assert.Equal([message], _validator.Validate(null, Invalid[setting]).Failures);

    [Fact]
    public void A_memory_size_below_a_mebibyte_is_refused_and_so_is_an_answer_size_above_half_of_it() =>
        Assert.Equal(
            [
                "Turnpike:AiSemanticCache:MemorySize must be between 1 MiB and 64 GiB",
                "Turnpike:AiSemanticCache:MaxAnswerSize must be at least 1 KiB and at most half of MemorySize",
            ],
            _validator.Validate(null, Invalid["MemorySize"]).Failures);
}
