using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Hosting;

/// <summary>Refuses limits that make no sense, each message naming its key under <c>Turnpike:Proxy:Limits</c>.</summary>
internal sealed class ProxyLimitsOptionsValidator : IValidateOptions<ProxyLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyLimitsOptions o)
    {
        var problems = new List<string>();
        void Require(bool condition, string key, string problem)
        {
            if (!condition)
            {
                problems.Add($"{ProxyLimitsOptions.Section}:{key} {problem}.");
            }
        }

        Require(o.MaxConcurrentConnections > 0, nameof(o.MaxConcurrentConnections), "must be positive");
        Require(o.MaxRequestLineSize >= 256, nameof(o.MaxRequestLineSize), "must be at least 256");
        Require(o.MaxRequestHeadersTotalSize >= 1024, nameof(o.MaxRequestHeadersTotalSize), "must be at least 1024");
        Require(o.MaxRequestHeaderCount > 0, nameof(o.MaxRequestHeaderCount), "must be positive");
        Require(o.MaxRequestBodySize >= 0, nameof(o.MaxRequestBodySize), "must be 0 (no limit) or positive");
        Require(o.RequestHeadersTimeout > TimeSpan.Zero, nameof(o.RequestHeadersTimeout), "must be positive");
        Require(o.HandshakeTimeout > TimeSpan.Zero && o.HandshakeTimeout <= TimeSpan.FromMinutes(10), nameof(o.HandshakeTimeout), "must be positive and at most 10 minutes");
        Require(o.KeepAliveTimeout > TimeSpan.Zero, nameof(o.KeepAliveTimeout), "must be positive");
        Require(o.MinRequestBodyDataRate >= 0 && o.MinResponseDataRate >= 0, nameof(o.MinRequestBodyDataRate), "data rates must be 0 (off) or positive");
        Require(o.MinDataRateGracePeriod > TimeSpan.FromSeconds(1), nameof(o.MinDataRateGracePeriod), "must be more than one second (Kestrel's rule)");
        Require(o.Http2MaxStreamsPerConnection > 0, nameof(o.Http2MaxStreamsPerConnection), "must be positive");
        Require(o.Http2InitialStreamWindowSize is >= 65_535 and <= int.MaxValue, nameof(o.Http2InitialStreamWindowSize), "must be at least 65535");
        Require(o.Http2InitialConnectionWindowSize >= 65_535, nameof(o.Http2InitialConnectionWindowSize), "must be at least 65535");
        Require(o.Http2HeaderTableSize >= 0, nameof(o.Http2HeaderTableSize), "must not be negative");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
