namespace Turnpike.Tests.Infrastructure;

/// <summary>Waits for something the cluster does asynchronously (propagation, health, delivery), failing the test when it does not come.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, int everyMs = 100)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"{what} not within {within.TotalSeconds} s");
            }

            await Task.Delay(everyMs);
        }
    }
}
