using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// Learns where the revocation log is at start (so nothing revoked after a token is first cached can be missed), then
/// reads it every <see cref="OAuth2Options.RevocationPollInterval"/> while this edge holds cached tokens, and sleeps
/// while it holds none (an edge without oauth2 never calls the cluster for it after start).
/// </summary>
internal sealed class OAuth2RevocationFollower(OAuth2TokenCache cache, OAuth2Revocations revocations, IOptions<OAuth2Options> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var stored = cache.Stored.Arm();
            if (cache.Count == 0 && revocations.Following)
            {
                await WorkSignal.WaitAsync(stored, null, time, stoppingToken);
            }

            await revocations.FollowAsync();
            await Task.Delay(options.Value.RevocationPollInterval, time, stoppingToken);
        }
    }
}
