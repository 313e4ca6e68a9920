namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// An AWS access key, its secret and, for temporary credentials (STS), the session token and when they expire.
/// <see cref="ToString"/> names the key id only: a credential that reaches a log line or an exception message
/// never carries its secret.
/// </summary>
internal sealed class AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null)
{
    public string AccessKeyId { get; } = accessKeyId;

    public string SecretAccessKey { get; } = secretAccessKey;

    public string? SessionToken { get; } = sessionToken;

    public DateTimeOffset? Expiration { get; } = expiration;

    public override string ToString() => $"AWS access key {AccessKeyId}";
}
