using Turnpike.Invalidation;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>The in-memory log behind proxy-cache purges and oauth2 revocations: what a reading edge is told.</summary>
[Fast]
public sealed class InvalidationLogTests
{
    [Fact]
    public void A_first_read_learns_where_the_log_is_and_then_gets_what_came_after()
    {
        var log = new InvalidationLog<string>(capacity: 4);
        log.Append("before");
        var (firstGap, first) = log.Since(Guid.Empty, 0);
        Assert.False(firstGap);
        Assert.Empty(first);

        var cursor = log.Last;
        log.Append("a");
        log.Append("b");
        var (gap, entries) = log.Since(log.Epoch, cursor);
        Assert.False(gap);
        Assert.Equal(["a", "b"], entries);
        Assert.Empty(log.Since(log.Epoch, log.Last).Entries);
    }

    [Fact]
    public void A_reader_whose_entries_were_dropped_or_who_read_another_log_is_told_of_a_gap()
    {
        var log = new InvalidationLog<int>(capacity: 2);
        log.Append(1);
        log.Append(2);
        log.Append(3); // 1 is gone

        Assert.True(log.Since(log.Epoch, 0).Gap);
        var (gap, entries) = log.Since(log.Epoch, 2);
        Assert.False(gap);
        Assert.Equal([3], entries);
        Assert.True(new InvalidationLog<int>(capacity: 2).Since(log.Epoch, 0).Gap); // a reactivated grain's new log
    }
}
