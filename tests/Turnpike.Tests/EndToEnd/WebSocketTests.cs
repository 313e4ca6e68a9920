using System.Net;
using System.Net.WebSockets;
using System.Text;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>WebSocket upgrades through a real edge, with .NET's own WebSocket client on one end and an echo server on the other.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class WebSocketTests(DevGatewayFixture fixture)
{
    private readonly string _name = "ws-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_websocket_session_is_proxied_both_ways_until_it_closes()
    {
        Assert.Equal(201, (await fixture.Edge.Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await fixture.Edge.Admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        using (var ready = await fixture.Edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{fixture.Edge.ProxyPort}/{_name}/chat"), CancellationToken.None);
        var buffer = new byte[4096];
        foreach (var message in new[] { "hello", "second message", new string('x', 3000) })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            var received = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
            while (!result.EndOfMessage);
            Assert.Equal("echo: " + message, received.ToString());
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }
}
