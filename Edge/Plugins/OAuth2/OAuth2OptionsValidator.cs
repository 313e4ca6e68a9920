using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.OAuth2;

internal sealed class OAuth2OptionsValidator : IValidateOptions<OAuth2Options>
{
    public ValidateOptionsResult Validate(string? name, OAuth2Options options)
    {
        List<string> problems = [];
        if (options.MaxCachedTokens is < 100 or > 100_000_000)
        {
            problems.Add($"{OAuth2Options.Section}:MaxCachedTokens must be between 100 and 100000000");
        }

        if (options.UnknownTokenTime < TimeSpan.Zero || options.UnknownTokenTime > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{OAuth2Options.Section}:UnknownTokenTime must be between 0 and ten minutes");
        }

        if (options.RevocationPollInterval <= TimeSpan.Zero || options.RevocationPollInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{OAuth2Options.Section}:RevocationPollInterval must be positive and at most a minute");
        }

        if (options.MaxParameterBodySize is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"{OAuth2Options.Section}:MaxParameterBodySize must be between 1 KiB and 16 MiB");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
