using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// Reads the client's request into the invocation's JSON (bounded by <see cref="LambdaRequestBody.MaxBytes"/>) and
/// hands the request to a <see cref="LambdaInvocation"/> in place of the upstream; plugins after it still run first.
/// </summary>
internal sealed class AwsLambdaHandler(AwsLambdaServices aws, AwsLambdaOptions options, ILogger logger) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var (body, tooLarge) = await LambdaRequestBody.ReadAsync(http.Request, http.RequestAborted);
        if (tooLarge)
        {
            if (!options.SkipLargeBodies)
            {
                await ProxyErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, ProxyErrors.ForClientFault(StatusCodes.Status413PayloadTooLarge));
                return false;
            }

            AwsLambdaLog.BodySkipped(logger, options.FunctionName, LambdaRequestBody.MaxBytes);
        }

        var payload = await LambdaEvent.BuildAsync(context, options, body, aws.Time.GetUtcNow());
        context.Exchange = new LambdaInvocation(aws, options, payload, logger);
        return true;
    }
}
