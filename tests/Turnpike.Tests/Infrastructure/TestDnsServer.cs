using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A small authoritative DNS server on a loopback UDP port, written from RFC 1035 for the tests (not the
/// library the edge resolves with): answers A queries for the names it is given, with their TTL, and
/// NXDOMAIN otherwise; records can change while it runs.
/// </summary>
internal sealed class TestDnsServer : IAsyncDisposable
{
    private readonly UdpClient _socket;
    private readonly ConcurrentDictionary<string, (IPAddress[] Addresses, uint Ttl)> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TestDnsServer()
    {
        _socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint Endpoint { get; }

    public void Set(string name, uint ttl, params IPAddress[] addresses) => _records[name.TrimEnd('.')] = (addresses, ttl);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var request = await _socket.ReceiveAsync(_stop.Token);
            if (Answer(request.Buffer) is { } response)
            {
                await _socket.SendAsync(response, request.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
        {
            return null;
        }

        // The question: labels up to a zero byte, then type and class.
        var name = new StringBuilder();
        var offset = 12;
        while (query[offset] != 0)
        {
            var length = query[offset];
            name.Append(name.Length > 0 ? "." : "").Append(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += length + 1;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        var questionEnd = offset + 5;
        var known = _records.TryGetValue(name.ToString(), out var record);
        var answers = known && type == 1 ? record.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray() : [];

        var response = new List<byte>();
        response.AddRange(query.AsSpan(0, 2).ToArray()); // id
        response.AddRange([0x84, (byte)(known ? 0x00 : 0x03)]); // response, authoritative; NXDOMAIN when unknown
        response.AddRange([0, 1, 0, (byte)answers.Length, 0, 0, 0, 0]);
        response.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var address in answers)
        {
            response.AddRange([0xC0, 12, 0, 1, 0, 1]); // the question's name, A, IN
            var ttl = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(ttl, record.Ttl);
            response.AddRange(ttl);
            response.AddRange([0, 4]);
            response.AddRange(address.GetAddressBytes());
        }

        return [.. response];
    }
}
