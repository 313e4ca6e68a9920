using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Metering;

internal sealed class MeteringOptionsValidator : IValidateOptions<MeteringOptions>
{
    // A negative StopTimeout is refused under the same message: it is rare enough not to need its own words, and
    // the message is quoted by docs and tests.
    public ValidateOptionsResult Validate(string? name, MeteringOptions options) =>
        options.FlushInterval > TimeSpan.Zero && !string.IsNullOrWhiteSpace(options.JournalDirectory) && options.StopTimeout >= TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MeteringOptions.Section}: FlushInterval must be positive and JournalDirectory set");
}
