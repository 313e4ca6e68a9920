using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.ProxyCache;

internal sealed class ProxyCacheOptionsValidator : IValidateOptions<ProxyCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyCacheOptions options)
    {
        List<string> problems = [];
        if (options.MemorySize is < 1024 * 1024 or > 64L * 1024 * 1024 * 1024)
        {
            problems.Add($"{ProxyCacheOptions.Section}:MemorySize must be between 1 MiB and 64 GiB");
        }

        if (options.MaxEntrySize < 1024 || options.MaxEntrySize > options.MemorySize)
        {
            problems.Add($"{ProxyCacheOptions.Section}:MaxEntrySize must be at least 1 KiB and at most MemorySize");
        }

        if (options.PurgePollInterval <= TimeSpan.Zero || options.PurgePollInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{ProxyCacheOptions.Section}:PurgePollInterval must be positive and at most a minute");
        }

        if (options.CollapseWait <= TimeSpan.Zero || options.CollapseWait > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{ProxyCacheOptions.Section}:CollapseWait must be positive and at most five minutes");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
