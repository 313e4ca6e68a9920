namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>AWS refused or could not answer a call (STS, or Lambda's own errors); the message names no secret.</summary>
internal sealed class AwsCallException(string message) : Exception(message);
