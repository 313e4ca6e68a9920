namespace Turnpike.Edge.Hosting;

/// <summary>Turns the edge's switches (<c>--dev</c>, <c>--config FILE</c>) into configuration keys; other arguments pass through.</summary>
internal static class EdgeCommandLine
{
    public static string[] Normalize(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dev":
                    result.Add("--Turnpike:Dev=true");
                    break;
                case "--config" when i + 1 < args.Length:
                    result.Add("--Turnpike:DeclarativeConfig=" + Path.GetFullPath(args[++i]));
                    break;
                default:
                    result.Add(args[i]);
                    break;
            }
        }

        return [.. result];
    }
}
