namespace Turnpike.Hosting;

/// <summary>
/// A setting an operator must fix before the process can run. The hosts print its message, which names the
/// setting, and exit with code 2 instead of a stack trace.
/// </summary>
public sealed class ConfigurationProblemException : Exception
{
    public ConfigurationProblemException()
    {
    }

    public ConfigurationProblemException(string message)
        : base(message)
    {
    }

    public ConfigurationProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
