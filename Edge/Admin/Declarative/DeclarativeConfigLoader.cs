using Turnpike.Hosting;
namespace Turnpike.Edge.Admin.Declarative;

/// <summary>Applies a declarative file to the cluster's route table at edge start (<c>--config</c>).</summary>
internal sealed class DeclarativeConfigLoader(DeclarativeConfig config, IGrainFactory grains)
{
    public async Task<long> ApplyFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' does not exist.");
        }

        var (write, error) = config.Read(await File.ReadAllTextAsync(path, cancellationToken));
        if (write is null)
        {
            throw new ConfigurationProblemException($"Declarative configuration file '{path}' is invalid: {error!.Message}");
        }

        var result = await grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey).Write(write);
        return result.Error is { } writeError
            ? throw new ConfigurationProblemException($"Declarative configuration file '{path}' was refused: {writeError.Message}")
            : result.Version;
    }
}
