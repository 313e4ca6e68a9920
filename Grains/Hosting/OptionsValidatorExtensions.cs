using Microsoft.Extensions.Options;

namespace Turnpike.Hosting;

public static class OptionsValidatorExtensions
{
    /// <summary>
    /// Runs a validator now, for settings that shape the host while it is being built (listeners, cluster providers)
    /// and so cannot wait for <c>ValidateOnStart</c>: a failure stops the process (exit code 2) with the validator's messages on one line.
    /// </summary>
    public static T ThrowIfInvalid<T>(this IValidateOptions<T> validator, T options, string prefix = "")
        where T : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        return result.Failed ? throw new ConfigurationProblemException(prefix + string.Join(" ", result.Failures)) : options;
    }
}
