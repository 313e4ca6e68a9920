using Microsoft.Extensions.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins;

/// <summary>
/// The log phase for plugins: each plugin of the request (its route's, or the global ones for a request the router
/// answered) gets <see cref="IPluginHandler.OnLog"/>, in priority order, with the instance that applied to the
/// request's consumer. A plugin that throws costs one log line, never the request (which is answered already) nor
/// the plugins after it.
/// </summary>
internal sealed partial class PluginLogPhase(ILogger<PluginLogPhase> logger) : IRequestLogPhase
{
    public int Order => LogPhaseOrder.Plugins;

    public void OnCompleted(ProxyContext context)
    {
        foreach (var slot in context.Plugins.Slots)
        {
            if (slot.For(context.Consumer) is { } handler)
            {
                try
                {
                    handler.OnLog(context);
                }
                catch (Exception ex)
                {
                    LogPhaseFailed(logger, handler.GetType().Name, ex.GetType().Name, ex.Message);
                }
            }
        }
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Error, Message = "A plugin's log phase failed in {Handler} ({Exception}: {Reason})")]
    private static partial void LogPhaseFailed(ILogger logger, string handler, string exception, string reason);
}
