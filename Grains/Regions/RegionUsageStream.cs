using Orleans.Serialization;
using Turnpike.Metering;

namespace Turnpike.Regions;

/// <summary>
/// A peer region's usage report as it streams over the link, period by period. A region that stops sending (longer than
/// the idle timeout between periods), or whose stream ends before its end frame, fails the read with
/// <see cref="RegionUnreachableException"/>: a report is whole or fails, never silently short.
/// </summary>
public sealed class RegionUsageStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _timer;
    private readonly Stream _stream;
    private readonly Serializer _serializer;
    private readonly TimeSpan _idle;

    internal RegionUsageStream(string region, HttpResponseMessage response, CancellationTokenSource timer, Stream stream, Serializer serializer, TimeSpan idle)
    {
        Region = region;
        _response = response;
        _timer = timer;
        _stream = stream;
        _serializer = serializer;
        _idle = idle;
        _timer.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    public string Region { get; }

    public async IAsyncEnumerable<UsagePeriod> ReadAsync()
    {
        await using var periods = UsageFrames.ReadAsync(_stream, _serializer, _timer.Token).GetAsyncEnumerator();
        while (true)
        {
            _timer.CancelAfter(_idle);
            bool more;
            try
            {
                more = await periods.MoveNextAsync();
            }
            catch (Exception ex)
            {
                // Whatever broke (the connection, a frame, its bytes), the region's report is not whole.
                throw new RegionUnreachableException(Region, ex is OperationCanceledException ? $"sent nothing for {_idle.TotalSeconds:0.#} s" : "its usage stream broke: " + ex.Message);
            }

            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
            if (!more)
            {
                yield break;
            }

            yield return periods.Current;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _response.Dispose();
        _timer.Dispose();
    }
}
