using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Hosting;

/// <summary>Who this edge is: id, host and region, as reported to the cluster and in node info.</summary>
internal sealed class EdgeIdentity(IOptions<EdgeOptions> options)
{
    public string EdgeId { get; } = string.IsNullOrWhiteSpace(options.Value.EdgeId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"
        : options.Value.EdgeId;

    public string Hostname { get; } = Environment.MachineName;

    public string Region { get; } = options.Value.Region;
}
