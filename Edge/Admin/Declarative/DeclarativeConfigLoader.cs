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
    public async Task<long> ApplyFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' does not exist.");
        }

        var limit = options?.Value.Admin.MaxBodySize ?? AdminListenerOptions.DefaultMaxBodySize;
        if (new FileInfo(path).Length > limit)
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' is larger than Turnpike:Admin:MaxBodySize ({limit} bytes).");
        }

        var (write, error) = config.Read(await File.ReadAllTextAsync(path, cancellationToken));
        if (write is null)
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' is invalid: {OneLine(error!.Message)}");
        }

        var result = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).Write(write);
        return result.Error is { } writeError
            ? throw new ConfigurationProblemException($"Declarative configuration file '{path}' was refused: {OneLine(writeError.Message)}")
            : result.Version;
    }

    /// <summary>Control characters a hostile file put in a name or message must not break (or forge) the log line.</summary>
    private static string OneLine(string message) =>
        string.Concat(message.Select(c => char.IsControl(c) ? ' ' : c));
}
