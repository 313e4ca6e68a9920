using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>
/// Kong's response-ratelimiting in three phases. Access: each limit reserves one unit (from the cluster lease, or this
/// edge's count), which tells whether it has any left; a spent limit answers 429 at once with
/// <c>block_on_first_violation</c>, and the upstream gets <c>X-RateLimit-Remaining-{name}</c>. Response headers: the
/// upstream's <c>X-Kong-Limit</c> says what the request used; the reservation is settled to that (no remote call: an
/// overrun is paid from the lease or charged to the counter by the sweeper, as ai-rate-limiting's are), the client gets
/// <c>X-RateLimit-Limit|Remaining-{name}-{window}</c>, and a response that used a limit that was already spent is
/// replaced by Kong's bare 429 and counts nothing. Log: a reservation never settled (the client left) is given back.
/// </summary>
internal sealed class ResponseRateLimitingHandler : IPluginHandler
{
    private static readonly string[] ContentHeaders =
        [HeaderNames.ContentType, HeaderNames.ContentEncoding, HeaderNames.ContentLanguage, HeaderNames.ContentRange, HeaderNames.ContentDisposition, HeaderNames.ETag, HeaderNames.LastModified];

    private readonly ResponseRateLimitingOptions _options;
    private readonly ClusterQuota _cluster;
    private readonly LocalQuota _local;
    private readonly RateLimitMetrics _metrics;
    private readonly string[] _keyPrefixes;
    private readonly string[] _upstreamHeaders;
    private readonly string[][] _limitHeaders;
    private readonly string[][] _remainingHeaders;
    private readonly string[][] _limitValues;
    private readonly string[] _exceededMessages;
    private readonly QuotaScope _scope;

    public ResponseRateLimitingHandler(ResponseRateLimitingOptions options, ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics)
    {
        (_options, _cluster, _local, _metrics) = (options, cluster, local, metrics);
        _scope = new QuotaScope(options.Policy == QuotaPolicy.Global, options.FaultTolerant);
        var limits = options.Limits;
        _keyPrefixes = [.. limits.Select(l => $"{options.InstanceId:N}/{l.Name}/")];
        _upstreamHeaders = [.. limits.Select(l => "X-RateLimit-Remaining-" + l.Name)];
        _limitHeaders = [.. limits.Select(l => l.Windows.Select(w => $"X-RateLimit-Limit-{l.Name}-{RateLimitFields.WindowName(w.Window)}").ToArray())];
        _remainingHeaders = [.. limits.Select(l => l.Windows.Select(w => $"X-RateLimit-Remaining-{l.Name}-{RateLimitFields.WindowName(w.Window)}").ToArray())];
        _limitValues = [.. limits.Select(l => l.Windows.Select(w => Text(w.Limit)).ToArray())];
        _exceededMessages = [.. limits.Select(l => $"API rate limit exceeded for '{l.Name}'")];
    }

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var limits = _options.Limits;
        var usage = new Usage(limits);
        var identity = Identity(context);
        var spent = false;
        for (var i = 0; i < limits.Length; i++)
        {
            var key = _keyPrefixes[i] + identity;
            var windows = limits[i].Windows;
            var decision = _options.Policy == QuotaPolicy.Local ? _local.TryAcquire(key, windows, 1) : await _cluster.AcquireAsync(key, windows, 1, _scope);
            if (decision.Outcome == QuotaOutcome.Unavailable)
            {
                if (!_options.FaultTolerant)
                {
                    GiveBack(usage);
                    await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
                    return false;
                }

                // fault_tolerant: still limited, by this edge's own count, while the counters are out of reach.
                _metrics.CountLocalFallback();
                decision = _local.TryAcquire(key, windows, 1);
            }

            var admitted = decision.Outcome == QuotaOutcome.Admitted;
            var fewest = long.MaxValue;
            for (var w = 0; w < windows.Length; w++)
            {
                // What was left before this request's reservation: Kong's "remaining" read at access.
                var left = w < decision.Count ? decision.Remaining[w] + (admitted ? 1 : 0) : 0;
                usage.Remaining[i][w] = Math.Min(left, windows[w].Limit);
                fewest = Math.Min(fewest, usage.Remaining[i][w]);
            }

            if (admitted)
            {
                usage.Taken[i] = new QuotaTaken(key, 1, decision.Periods, decision.Periods is null ? _local.Now : 0);
            }
            else
            {
                spent = true;
                if (_options.BlockOnFirstViolation)
                {
                    _metrics.CountRejected();
                    GiveBack(usage);
                    await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, _exceededMessages[i]);
                    return false;
                }
            }

            context.SetUpstreamHeader(_upstreamHeaders[i], Text(fewest));
        }

        if (spent)
        {
            // The upstream may report using a spent limit: its body must then be dropped for the 429.
            usage.Body = new DiscardableBody(context.HttpContext.Response, context.HttpContext.Response.Body);
            context.HttpContext.Response.Body = usage.Body;
        }

        _metrics.CountAdmitted();
        context.HttpContext.Items[this] = usage;
        return true;
    }

    public void OnResponseHeaders(ProxyContext context)
    {
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        var reported = headers[_options.HeaderName].ToString();
        headers.Remove(_options.HeaderName);
        if (http.Items[this] is not Usage usage)
        {
            return;
        }

        http.Items.Remove(this);
        var limits = _options.Limits;
        Span<long> increments = stackalloc long[limits.Length];
        UsageHeader.Parse(reported, limits, increments);
        var stop = false;
        for (var i = 0; i < limits.Length; i++)
        {
            for (var w = 0; w < limits[i].Windows.Length; w++)
            {
                var remaining = usage.Remaining[i][w];
                if (!_options.HideClientHeaders)
                {
                    headers[_limitHeaders[i][w]] = _limitValues[i][w];
                    headers[_remainingHeaders[i][w]] = Text(Math.Max(0, remaining - increments[i]));
                }

                stop |= increments[i] > 0 && remaining <= 0;
            }
        }

        if (stop)
        {
            // Kong: the response is replaced by a bare 429, and the request counts for nothing.
            GiveBack(usage);
            _metrics.CountRejected();
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            foreach (var name in ContentHeaders)
            {
                headers.Remove(name);
            }

            http.Response.ContentLength = 0;
            usage.Body!.Discard = true;
            return;
        }

        for (var i = 0; i < limits.Length; i++)
        {
            if (usage.Taken[i] is { } taken)
            {
                taken.Settle(increments[i], limits[i].Windows, _cluster, _local);
            }
        }
    }

    public void OnLog(ProxyContext context)
    {
        if (context.HttpContext.Items[this] is Usage usage)
        {
            // The response never started (the client left first): nothing was used.
            context.HttpContext.Items.Remove(this);
            GiveBack(usage);
        }
    }

    private void GiveBack(Usage usage)
    {
        for (var i = 0; i < usage.Taken.Length; i++)
        {
            if (usage.Taken[i] is { } taken)
            {
                taken.Settle(0, _options.Limits[i].Windows, _cluster, _local);
                usage.Taken[i] = null;
            }
        }
    }

    /// <summary>Kong's choice: the consumer (else its credential), the credential, or the client's address when the request has none.</summary>
    private string Identity(ProxyContext context)
    {
        var identity = _options.LimitBy switch
        {
            "consumer" => context.Consumer?.Id.ToString("N") ?? context.CredentialId?.ToString("N"),
            "credential" => context.CredentialId?.ToString("N"),
            _ => null,
        };
        return identity is null ? "ip:" + ConnectionText.Of(context.HttpContext).RemoteAddress : _options.LimitBy + ":" + identity;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One request's reservations and what each limit had left, per window, when it came in.</summary>
    private sealed class Usage(ResponseLimit[] limits)
    {
        public QuotaTaken?[] Taken { get; } = new QuotaTaken?[limits.Length];

        public long[][] Remaining { get; } = [.. limits.Select(l => new long[l.Windows.Length])];

        public DiscardableBody? Body { get; set; }
    }
}
