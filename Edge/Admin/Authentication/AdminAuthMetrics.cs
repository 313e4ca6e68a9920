namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Refused admin API requests, for <c>/metrics</c>: 401 (no or unknown token) and 403 (role too low).</summary>
internal sealed class AdminAuthMetrics
{
    private long _failures;
    private long _forbidden;

    public long Failures => Interlocked.Read(ref _failures);

    public long Forbidden => Interlocked.Read(ref _forbidden);

    public void CountFailure() => Interlocked.Increment(ref _failures);

    public void CountForbidden() => Interlocked.Increment(ref _forbidden);
}
