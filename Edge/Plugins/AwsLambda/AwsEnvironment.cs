using Microsoft.Extensions.Configuration;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// What Kong reads from the process environment when a plugin names no credentials or region:
/// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>; <c>AWS_REGION</c>, else
/// <c>AWS_DEFAULT_REGION</c>. Read once at start, from configuration (which holds the environment variables).
/// </summary>
internal sealed class AwsEnvironment
{
    public AwsEnvironment(IConfiguration configuration)
    {
        var key = NonEmpty(configuration["AWS_ACCESS_KEY_ID"]);
        var secret = NonEmpty(configuration["AWS_SECRET_ACCESS_KEY"]);
        Credentials = key is not null && secret is not null ? new AwsCredentials(key, secret, NonEmpty(configuration["AWS_SESSION_TOKEN"])) : null;
        Region = NonEmpty(configuration["AWS_REGION"]) ?? NonEmpty(configuration["AWS_DEFAULT_REGION"]);
    }

    public AwsEnvironment(AwsCredentials? credentials, string? region)
    {
        Credentials = credentials;
        Region = region;
    }

    public AwsCredentials? Credentials { get; }

    public string? Region { get; }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
