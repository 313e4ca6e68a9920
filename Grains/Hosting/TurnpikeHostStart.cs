using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Turnpike.Hosting;

/// <summary>
/// How silos and edges start their hosts. The generic host watches appsettings.json for changes by default: one
/// inotify instance per process, a per-user resource (128 on common distributions) that a fleet of processes on one
/// machine runs out of. Turnpike reads its files once unless <see cref="WatchConfigFilesKey"/> asks for the watcher
/// (the settings that matter are read at start anyway). The files are read from the directory the program is in, not
/// the current one: a service manager or container that starts <c>dotnet /opt/turnpike/edge/Turnpike.Edge.dll</c> from
/// <c>/</c> would otherwise run without the shipped appsettings.json (its log levels among them, without which every
/// proxied request writes log lines). And a start that fails for want of a resource (a port in use, a limit reached)
/// is reported as one line and exit code 2, as a bad setting is.
/// </summary>
public static class TurnpikeHostStart
{
    /// <summary>Set in the environment (<c>Turnpike__Hosting__WatchConfigFiles</c>) or on the command line: it decides how the files are read.</summary>
    public const string WatchConfigFilesKey = "Turnpike:Hosting:WatchConfigFiles";

    // Read by HostApplicationBuilder from its host configuration (command line, DOTNET_ variables) before it adds the files.
    private const string ReloadOnChangeArgument = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>
    /// The host's arguments: <paramref name="args"/>, plus the switch that turns the file watcher off unless it was asked
    /// for, and the program's own directory as the content root unless one was given (<c>--contentRoot</c>,
    /// <c>ASPNETCORE_CONTENTROOT</c> or <c>DOTNET_CONTENTROOT</c>).
    /// </summary>
    public static string[] Arguments(string[] args)
    {
        var early = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        if (!bool.TryParse(early[WatchConfigFilesKey] ?? "false", out var watch))
        {
            throw new ConfigurationProblemException($"{WatchConfigFilesKey} must be true or false.");
        }

        var contentRootGiven = early["contentRoot"] is not null || early["ASPNETCORE_CONTENTROOT"] is not null || early["DOTNET_CONTENTROOT"] is not null;
        return [.. args, .. watch ? [] : new[] { ReloadOnChangeArgument }, .. contentRootGiven ? [] : new[] { "--contentRoot=" + AppContext.BaseDirectory }];
    }

    /// <summary>
    /// One line saying which resource a failed start lacked (a file, socket or limit; found anywhere in the
    /// exception's causes), or null when <paramref name="exception"/> is not such a failure.
    /// </summary>
    public static string? ResourceProblem(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException or SocketException or UnauthorizedAccessException)
            {
                var message = cause.Message.ReplaceLineEndings(" ");
                return message.Contains("inotify", StringComparison.Ordinal)
                    ? $"{message} (the configuration file watcher, on with {WatchConfigFilesKey}=true, needs one; raise fs.inotify.max_user_instances or turn it off)"
                    : message;
            }

            if (cause is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                return aggregate.InnerExceptions.Select(ResourceProblem).FirstOrDefault(p => p is not null);
            }
        }

        return null;
    }
}
