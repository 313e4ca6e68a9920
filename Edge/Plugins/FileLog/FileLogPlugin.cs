using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.FileLog;

/// <summary>
/// Kong's file-log: each request's log record (<see cref="KongLogRecord"/>) as one JSON line appended to <c>path</c>.
/// Lines are written by a queue's loop, never on the request's thread; with <c>reopen</c> the file is opened for
/// each batch (so a rotated file is followed), otherwise it stays open.
/// </summary>
internal sealed class FileLogPlugin(LogMetrics metrics, ILoggerFactory loggers, TimeProvider time) : GatewayPlugin<FileLogOptions>
{
    private static readonly ConfigField<string> LogPath = Field.RequiredString("path")
        .Check(path => Path.IsPathFullyQualified(path) && path.IndexOfAny(['\0', '\r', '\n']) < 0 ? null : "not a valid filename");

    private static readonly ConfigField<bool> Reopen = Field.Boolean("reopen").Default(false);

    private static readonly ConfigSchema<FileLogOptions> Schema = new([LogPath, Reopen], c => new(c.Get(LogPath), c.Get(Reopen)));

    public override string Name => "file-log";

    public override int Priority => 9;

    public override ConfigSchema<FileLogOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(FileLogOptions options, Guid instanceId) =>
        new FileLogHandler(options, metrics, loggers.CreateLogger<FileLogHandler>(), time);
}

/// <summary>One file-log instance's configuration (Kong's names).</summary>
internal sealed record FileLogOptions(string Path, bool Reopen);
