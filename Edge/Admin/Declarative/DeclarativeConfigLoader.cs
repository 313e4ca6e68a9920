using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;
using Turnpike.Hosting;
namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Applies a declarative file to the cluster's route table at edge start (<c>--config</c>). A file that is
/// unreadable, too large (<c>Turnpike:Admin:MaxBodySize</c>, as for <c>POST /config</c>) or invalid stops the
/// edge with one line saying why (exit code 2), never a stack trace.
/// </summary>
internal sealed class DeclarativeConfigLoader(DeclarativeConfig config, IGrainFactory grains, IOptions<EdgeOptions>? options = null)
{
    private (string Path, RouteTableWrite Write)? _prepared;

    /// <summary>
    /// Reads and validates the file before the host starts: a problem found later, in a hosted service, would
    /// come with the host's own failure log and stack trace instead of one line.
    /// </summary>
    public void Prepare(string path) => _prepared = (path, Read(path, CheckedFile(path) ? File.ReadAllText(path) : null));

    public async Task<long> ApplyFileAsync(string path, CancellationToken cancellationToken)
    {
        var write = _prepared is { } prepared && prepared.Path == path
            ? prepared.Write
            : Read(path, CheckedFile(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null);
        var result = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).Write(write);
        return result.Error is { } writeError
            ? throw new ConfigurationProblemException($"Declarative configuration file '{path}' was refused: {OneLine(writeError.Message)}")
            : result.Version;
    }

    /// <summary>True when the file exists; a problem when it is larger than an admin body may be (checked before reading it).</summary>
    private bool CheckedFile(string path)
    {
        var limit = options?.Value.Admin.MaxBodySize ?? AdminListenerOptions.DefaultMaxBodySize;
        if (!File.Exists(path))
        {
            return false;
        }

        return new FileInfo(path).Length <= limit
            ? true
            : throw new ConfigurationProblemException($"Declarative configuration file '{path}' is larger than Turnpike:Admin:MaxBodySize ({limit} bytes).");
    }

    private RouteTableWrite Read(string path, string? text)
    {
        if (text is null)
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' does not exist.");
        }

        var (write, error) = config.Read(text);
        return write ?? throw new ConfigurationProblemException($"Declarative configuration file '{path}' is invalid: {OneLine(error!.Message)}");
    }

    /// <summary>Control characters a hostile file put in a name or message must not break (or forge) the log line.</summary>
    private static string OneLine(string message) =>
        string.Concat(message.Select(c => char.IsControl(c) ? ' ' : c));
}
