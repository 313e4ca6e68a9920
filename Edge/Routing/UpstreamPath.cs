namespace Turnpike.Edge.Routing;

/// <summary>
/// Joins a service's path with the request path the way Kong's <c>path_handling</c> does.
/// v0 is Kong 3's rule (its default router applies only v0); v1 is the rule of Kong's traditional router.
/// </summary>
internal static class UpstreamPath
{
    /// <param name="servicePath">The service's path, or null.</param>
    /// <param name="requestPath">The request path, starting with '/'.</param>
    /// <param name="stripLength">How many leading characters of the request path the route strips; -1 for none.</param>
    public static string Build(string? servicePath, string requestPath, int stripLength, bool v1)
    {
        var basePath = servicePath ?? "/";
        var strip = stripLength >= 0;
        if (v1)
        {
            if (!strip)
            {
                return basePath + requestPath[1..];
            }

            var rest = requestPath[stripLength..];
            return basePath.EndsWith('/') && rest.StartsWith('/') ? basePath[..^1] + rest : basePath + rest;
        }

        if (basePath.EndsWith('/'))
        {
            if (!strip)
            {
                return basePath + requestPath[1..];
            }

            var postfix = requestPath[stripLength..];
            if (postfix.Length == 0)
            {
                return basePath == "/" || requestPath.EndsWith('/') ? basePath : basePath[..^1];
            }

            return postfix.StartsWith('/') ? basePath[..^1] + postfix : basePath + postfix;
        }
        else
        {
            if (!strip)
            {
                return requestPath == "/" ? basePath : basePath + requestPath;
            }

            var postfix = requestPath[stripLength..];
            if (postfix.Length == 0)
            {
                return requestPath.Length > 1 && requestPath.EndsWith('/') ? basePath + "/" : basePath;
            }

            return postfix.StartsWith('/') ? basePath + postfix : basePath + "/" + postfix;
        }
    }
}
