using YamlDotNet.Core;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>A YAML document over one of <see cref="AdminInputLimits"/>'s budgets, reported like a syntax error: with its position.</summary>
internal sealed class YamlLimitException : YamlException
{
    public YamlLimitException()
        : base("over budget")
    {
    }

    public YamlLimitException(string message)
        : base(message)
    {
    }

    public YamlLimitException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public YamlLimitException(Mark start, Mark end, string message)
        : base(start, end, message)
    {
    }
}
