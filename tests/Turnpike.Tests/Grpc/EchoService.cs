using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Turnpike.Tests.Grpc.Echo;

namespace Turnpike.Tests.Grpc;

/// <summary>The test upstream's gRPC service (echo.proto): each kind of call, a chosen failure, a slow call.</summary>
internal sealed class EchoService : Echo.Echo.EchoBase
{
    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => Task.FromResult(Reply(request.Text, context));

    public override async Task Expand(ExpandRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(Reply($"{request.Text} {i}", context));
        }
    }

    public override async Task<EchoReply> Collect(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var texts = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            texts.Add(request.Text);
        }

        return Reply(string.Join(",", texts), context);
    }

    public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(Reply("re: " + request.Text, context));
        }
    }

    public override Task<EchoReply> Fail(FailRequest request, ServerCallContext context)
    {
        if (request.Trailer.Length > 0)
        {
            context.ResponseTrailers.Add("x-echo-trailer", request.Trailer);
        }

        throw new RpcException(new Status((StatusCode)request.Code, request.Message));
    }

    public override async Task<EchoReply> Slow(SlowRequest request, ServerCallContext context)
    {
        await Task.Delay(request.DelayMs, context.CancellationToken);
        return Reply("late", context);
    }

    private static EchoReply Reply(string text, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var reply = new EchoReply { Text = text };
        reply.Seen["authority"] = http.Request.Host.Value ?? "";
        reply.Seen["protocol"] = http.Request.Protocol;
        reply.Seen["scheme"] = http.Request.Scheme;
        reply.Seen["sni"] = GrpcUpstream.ServerNameOf(http);
        reply.Seen["client_certificate"] = http.Connection.ClientCertificate?.Subject ?? "";
        foreach (var name in (string[])["grpc-timeout", "x-forwarded-for", "x-forwarded-proto", "via", "x-consumer-username", "te"])
        {
            if (http.Request.Headers.TryGetValue(name, out var value))
            {
                reply.Seen[name] = value.ToString();
            }
        }

        return reply;
    }
}
