using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// Resolves the host names of targets (A and AAAA records) and keeps each answer for its TTL, so upstreams
/// follow DNS: several addresses become several endpoints, and a changed record changes them when its TTL
/// runs out. A failed lookup keeps the last addresses. Lookups happen off the request path (<see cref="DnsRefresher"/>).
/// </summary>
internal sealed partial class TargetResolver
{
    private readonly ConcurrentDictionary<string, (string[] Addresses, long RenewAt)> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly LookupClient _client;
    private readonly DnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TargetResolver> _logger;

    public TargetResolver(IOptions<DnsOptions> options, TimeProvider time, ILogger<TargetResolver> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var servers = _options.Servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => IPEndPoint.Parse(s))
            .Select(e => new NameServer(e))
            .ToArray();
        var lookup = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookup.UseCache = false; // the TTLs are honoured here, where the endpoints follow them
        lookup.Timeout = TimeSpan.FromSeconds(2);
        lookup.Retries = 1;
        _client = new LookupClient(lookup);
    }

    /// <summary>The addresses last found for <paramref name="host"/>; null before its first answer.</summary>
    public string[]? Addresses(string host) => _answers.TryGetValue(host, out var answer) ? answer.Addresses : null;

    public bool IsDue(string host) => !_answers.TryGetValue(host, out var answer) || _time.GetTimestamp() >= answer.RenewAt;

    /// <summary>How long until <paramref name="host"/>'s answer expires; zero when it has (or it has none).</summary>
    public TimeSpan DueIn(string host) =>
        _answers.TryGetValue(host, out var answer) && answer.RenewAt > _time.GetTimestamp() ? _time.GetElapsedTime(_time.GetTimestamp(), answer.RenewAt) : TimeSpan.Zero;

    /// <summary>Looks <paramref name="host"/> up again; true when its addresses changed.</summary>
    public async Task<bool> RefreshAsync(string host, CancellationToken cancellationToken)
    {
        var previous = Addresses(host);
        try
        {
            var a = await _client.QueryAsync(host, QueryType.A, cancellationToken: cancellationToken);
            var aaaa = await _client.QueryAsync(host, QueryType.AAAA, cancellationToken: cancellationToken);
            var records = a.Answers.ARecords().Select(r => (Address: r.Address.ToString(), r.TimeToLive))
                .Concat(aaaa.Answers.AaaaRecords().Select(r => (Address: r.Address.ToString(), r.TimeToLive)))
                .ToList();
            if (records.Count == 0)
            {
                throw new DnsResponseException($"no A or AAAA record for {host}");
            }

            var ttl = TimeSpan.FromSeconds(records.Min(r => r.TimeToLive));
            var addresses = records.Select(r => r.Address).Distinct().Order(StringComparer.Ordinal).ToArray();
            _answers[host] = (addresses, _time.GetTimestamp() + Ticks(ttl < _options.MinTtl ? _options.MinTtl : ttl));
            return previous is null || !previous.SequenceEqual(addresses);
        }
        catch (Exception ex) when (ex is DnsResponseException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogLookupFailed(_logger, ex, host);
            _answers[host] = (previous ?? [], _time.GetTimestamp() + Ticks(_options.RetryAfterFailure));
            return false;
        }
    }

    public static (string Host, int Port) Split(string target)
    {
        var colon = target.LastIndexOf(':');
        return (target[..colon], int.Parse(target[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    public static string Join(string address, int port) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";

    public static bool IsAddress(string host) => IPAddress.TryParse(host.Trim('[', ']'), out _);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "DNS lookup of target host {Host} failed; keeping its last addresses")]
    private static partial void LogLookupFailed(ILogger logger, Exception exception, string host);
}
