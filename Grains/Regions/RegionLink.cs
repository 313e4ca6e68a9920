using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Turnpike.Cluster;
using Turnpike.Metering;
using Turnpike.RateLimiting;

namespace Turnpike.Regions;

/// <summary>
/// The client side of the cross-region link: signed HTTP/2 requests (prior knowledge over http://, or mutual TLS with
/// ALPN over https://; one multiplexed connection per peer silo, kept alive by pings) to a peer region's silos, tried in turn. Bodies are Orleans' binary serialization of
/// the same records grain calls carry; they are read only after the signature checked out. Used by edges (to forward
/// writes to the home region) and silos (to pull the home region's changes).
/// </summary>
public sealed partial class RegionLink : IDisposable
{
    private readonly RegionOptions _options;
    private readonly Serializer _serializer;
    private readonly TimeProvider _time;
    private readonly ILogger<RegionLink> _logger;
    private readonly HttpClient _http;
    private readonly Dictionary<string, Uri[]> _peers;

    public RegionLink(IOptions<RegionOptions> options, Serializer serializer, TimeProvider time, ILogger<RegionLink> logger)
    {
        _options = options.Value;
        _serializer = serializer;
        _time = time;
        _logger = logger;
        _peers = _options.Peers.ToDictionary(p => p.Key, p => p.Value.LinkUris(), StringComparer.Ordinal);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // A WAN path can die without a FIN: pings find a dead connection, so the next request opens a new one.
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        if (RegionLinkTls.Load(_options.Tls) is { } tls)
        {
            // https:// peers: this process's certificate as the client's, and only servers the regions' CA issued.
            handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                ClientCertificates = [tls.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => tls.TrustedServer(certificate, errors),
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            };
        }

        _http = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Has the home region's route table apply a write; answers as the grain did. <paramref name="home"/> is the home as this region knows it.</summary>
    public async Task<RouteTableWriteResult> WriteAsync(HomeState home, RouteTableWrite write, CancellationToken cancellationToken = default)
    {
        var region = home.Home;
        var path = $"{RegionLinkPaths.Write}?{EpochQuery(home)}";
        var answer = await SendAsync(region, HttpMethod.Post, path, _serializer.SerializeToArray(write), _options.WriteTimeout, cancellationToken);
        return _serializer.Deserialize<RouteTableWriteResult>(answer) ?? throw new RegionUnreachableException(region, "empty answer");
    }

    /// <summary>The changes of the home's route table since <paramref name="home"/>'s version, waiting up to <paramref name="wait"/> for one.</summary>
    public async Task<RouteTableDelta> ChangesSinceAsync(HomeState home, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var region = home.Home;
        var path = $"{RegionLinkPaths.Changes}?since={home.Version}&wait={(long)wait.TotalMilliseconds}&{EpochQuery(home)}&table={home.TableEpoch}";
        var answer = await SendAsync(region, HttpMethod.Get, path, [], wait + _options.WriteTimeout, cancellationToken);
        return _serializer.Deserialize<RouteTableDelta>(answer) ?? throw new RegionUnreachableException(region, "empty answer");
    }

    /// <summary>Permits for this region from the home region's global counter of a <c>policy: global</c> limit.</summary>
    public async Task<QuotaGrant> LeaseAsync(HomeState home, GlobalQuotaRequest request, CancellationToken cancellationToken = default)
    {
        var region = home.Home;
        var path = $"{RegionLinkPaths.RateLimitLease}?{EpochQuery(home)}";
        var answer = await SendAsync(region, HttpMethod.Post, path, _serializer.SerializeToArray(request), _options.WriteTimeout, cancellationToken);
        return _serializer.Deserialize<QuotaGrant>(answer) ?? throw new RegionUnreachableException(region, "empty answer");
    }

    /// <summary>The home and epoch a region holds.</summary>
    public async Task<HomeState> HomeAsync(string region, CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(region, HttpMethod.Get, RegionLinkPaths.Home, [], _options.WriteTimeout, cancellationToken);
        return _serializer.Deserialize<HomeState>(answer) ?? throw new RegionUnreachableException(region, "empty answer");
    }

    // Region names are checked names (letters, digits, '-'): nothing to escape.
    private static string EpochQuery(HomeState home) => $"epoch={home.Epoch}&home={home.Home}";

    /// <summary>
    /// Opens a region's usage report (<see cref="RegionLinkPaths.Usage"/>): answers once the region has sent its headers,
    /// so an unreachable region is known before anything is written; the periods then stream as the caller reads them.
    /// </summary>
    public async Task<RegionUsageStream> OpenUsageAsync(string region, long from, long to, BillingGranularity granularity, Guid? consumerId, Guid? serviceId, CancellationToken cancellationToken = default)
    {
        var path = $"{RegionLinkPaths.Usage}?from={from}&to={to}&granularity={granularity.ToString().ToLowerInvariant()}"
            + (consumerId is { } consumer ? $"&consumer={consumer}" : "") + (serviceId is { } service ? $"&service={service}" : "");
        var (response, timer) = await SendAsync(region, HttpMethod.Get, path, [], _options.WriteTimeout, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(timer.Token);
            return new RegionUsageStream(region, response, timer, stream, _serializer, _options.WriteTimeout);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            response.Dispose();
            timer.Dispose();
            throw new RegionUnreachableException(region, ex.Message);
        }
    }

    private async Task<byte[]> SendAsync(string region, HttpMethod method, string pathAndQuery, byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (response, timer) = await SendAsync(region, method, pathAndQuery, body, timeout, HttpCompletionOption.ResponseContentRead, cancellationToken);
        using (timer)
        using (response)
        {
            try
            {
                return await response.Content.ReadAsByteArrayAsync(timer.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RegionUnreachableException(region, ex.Message);
            }
        }
    }

    /// <summary>A successful answer from one of the region's silos, with the timer of its attempt (the caller disposes both).</summary>
    private async Task<(HttpResponseMessage Response, CancellationTokenSource Timer)> SendAsync(
        string region, HttpMethod method, string pathAndQuery, byte[] body, TimeSpan timeout, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(region, out var uris))
        {
            throw new RegionUnreachableException(region, "not a peer of this region (Turnpike:Regions:Peers)");
        }

        var problem = "no link endpoint";
        foreach (var uri in uris)
        {
            using var request = new HttpRequestMessage(method, new Uri(uri, pathAndQuery))
            {
                Content = method == HttpMethod.Get ? null : new ByteArrayContent(body),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(LinkSignature.RegionHeader, _options.Name);
            request.Headers.Add(LinkSignature.TimeHeader, now.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(LinkSignature.SignatureHeader, LinkSignature.Sign(_options.Secret!, _options.Name, now, method.Method, pathAndQuery, body));
            var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            HttpResponseMessage? response = null;
            try
            {
                response = await _http.SendAsync(request, completion, timer.Token);
                if (response.IsSuccessStatusCode)
                {
                    (var answered, response) = (response, null);
                    var kept = timer;
                    timer = null!;
                    return (answered, kept);
                }

                var message = MessageOf(await response.Content.ReadAsByteArrayAsync(timer.Token));
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest:
                        // Every silo of the region shares its settings: another one would refuse the same way.
                        LogRefused(_logger, region, message);
                        throw new RegionUnreachableException(region, "it refused this region's link request: " + message);
                    case HttpStatusCode.ServiceUnavailable when response.Headers.Contains(StorageProblemHeader):
                        throw new StateStoreUnavailableException($"region '{region}': {message}");
                    default:
                        problem = $"HTTP {(int)response.StatusCode} from {uri.Authority}: {message}";
                        break;
                }
            }
            catch (HttpRequestException ex)
            {
                problem = $"{uri.Authority}: {ex.Message}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"{uri.Authority} did not answer within {timeout.TotalSeconds:0.#} s";
            }
            finally
            {
                response?.Dispose();
                timer?.Dispose();
            }
        }

        throw new RegionUnreachableException(region, problem);
    }

    /// <summary>Marks a 503 that is the home region's storage failing (rather than the region being unreachable).</summary>
    public const string StorageProblemHeader = "X-Turnpike-Link-Storage-Unavailable";

    private static string MessageOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var text = json.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "";
            return string.Concat(text.Take(300).Select(c => char.IsControl(c) ? ' ' : c));
        }
        catch (JsonException)
        {
            return "(no message)";
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "Region {Region} refused this region's link request: {Reason}")]
    private static partial void LogRefused(ILogger logger, string region, string reason);
}
