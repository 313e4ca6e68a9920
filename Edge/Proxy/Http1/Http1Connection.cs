using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Turnpike.Edge.Observability.Logging;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// One keep-alive connection to an upstream: its socket and the one buffer answers are read into. It carries one
/// request at a time (no pipelining); the answer's body hands it back to its pool when read to the end, or closes it.
/// </summary>
internal sealed class Http1Connection(Socket socket, Http1ConnectionPool pool) : IDisposable
{
    private const int MaxLineBytes = 4096;

    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private int _disposed;

    /// <summary>The request body still being sent while its answer is read (null without a body).</summary>
    private Task? _requestBody;

    /// <summary>When it went back to the pool (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>It carried a request before: a failure before any answer may be the upstream closing it while idle.</summary>
    public bool IsReused { get; set; }

    /// <summary>The bytes read and not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Sends <paramref name="request"/> and reads its answer's head; the body is read through the answer's content.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var framing = await SendHeadAsync(request, cancellationToken);
            if (request.Content is not { } content)
            {
                return await ReadResponseAsync(request, cancellationToken);
            }

            // The body goes while the answer is awaited, as SocketsHttpHandler does: an upstream may answer (413, 401)
            // before it has read the body, or answer as it reads.
            _requestBody = SendBodyAsync(content, framing, cancellationToken);
            var response = ReadResponseAsync(request, cancellationToken).AsTask();
            if (await Task.WhenAny(response, _requestBody) != _requestBody)
            {
                // Answered while the body still goes: its failure, if any, is YARP's to see through its content.
                _ = _requestBody.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
            else if (!_requestBody.IsCompletedSuccessfully)
            {
                Dispose();
                _ = response.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                await _requestBody; // throws the body's failure: YARP tells the client's from the upstream's by its content
            }

            return await response;
        }
        catch (Exception exception)
        {
            Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The request to the upstream was canceled.", exception, cancellationToken);
            }

            throw exception is HttpRequestException or Http1StaleConnectionException or OperationCanceledException
                ? exception
                : new HttpRequestException(HttpRequestError.Unknown, $"The upstream connection failed: {exception.Message}", exception);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(Http1BodyFraming Framing, long Length)> SendHeadAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var head = new PooledBufferWriter(2048);
        var framing = Http1RequestHead.Write(request, head);
        try
        {
            await SendAsync(head.WrittenMemory, cancellationToken);
        }
        catch (SocketException) when (IsReused && request.Content is null && !cancellationToken.IsCancellationRequested)
        {
            throw new Http1StaleConnectionException();
        }

        return framing;
    }

    private async Task SendBodyAsync(HttpContent content, (Http1BodyFraming Framing, long Length) framing, CancellationToken cancellationToken)
    {
        await using var body = new Http1RequestBody(this, framing.Framing, framing.Length);
        await content.CopyToAsync(body, cancellationToken);
        await body.CompleteAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpResponseMessage> ReadResponseAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            int length;
            while ((length = Http1ResponseHead.Length(Buffered)) < 0)
            {
                if (_end - _start >= Http1ResponseHead.MaxBytes)
                {
                    throw Http1ResponseHead.Invalid($"a head longer than {Http1ResponseHead.MaxBytes} bytes");
                }

                var nothingYet = _end == 0;
                bool more;
                try
                {
                    more = await FillAsync(cancellationToken);
                }
                catch (SocketException) when (nothingYet && IsReused && request.Content is null && !cancellationToken.IsCancellationRequested)
                {
                    throw new Http1StaleConnectionException();
                }

                if (!more)
                {
                    throw nothingYet && IsReused && request.Content is null
                        ? new Http1StaleConnectionException()
                        : new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection before it answered.");
                }
            }

            var response = new HttpResponseMessage { RequestMessage = request };
            var content = new Http1ResponseContent();
            var head = Http1ResponseHead.Parse(Buffered[..length], response, content);
            Consume(length);
            if (head.Status is >= 100 and < 200 and not 101)
            {
                response.Dispose();
                continue; // 100 Continue, 102, 103: interim, the final answer follows (the client gets only that)
            }

            response.Content = content;
            content.Body = Http1ResponseBody.For(this, head, response, HttpMethod.Head.Equals(request.Method));
            return response;
        }
    }

    /// <summary>Reads more into the buffer (growing it up to a head's limit); false at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                (_start, _end) = (0, _end - _start);
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, Http1ResponseHead.MaxBytes + MaxLineBytes));
            }
        }

        var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>The length of the line at the start of <see cref="Buffered"/> without its CR LF (or bare LF), and with it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Length, int WithEnd)> ReadLineAsync(int maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return (newline > 0 && Buffered[newline - 1] == '\r' ? newline - 1 : newline, newline + 1);
            }

            if (_end - _start >= maxBytes)
            {
                throw Http1ResponseHead.Invalid($"a line longer than {maxBytes} bytes in its body");
            }

            if (!await FillAsync(cancellationToken))
            {
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection within a chunked body.");
            }
        }
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            (_start, _end) = (0, 0);
        }
    }

    /// <summary>Body bytes: what is buffered first, then straight from the socket into <paramref name="destination"/>.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            var count = Math.Min(destination.Length, _end - _start);
            Buffered[..count].CopyTo(destination.Span);
            Consume(count);
            return ValueTask.FromResult(count);
        }

        return socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>True when the upstream closed the connection (or sent what nothing asked for) while it sat in the pool.</summary>
    public bool IsClosedByPeer()
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>The answer's body was read to its end: back to the pool when the connection can carry another request, else closed.</summary>
    public void Complete(bool reusable)
    {
        if (reusable && _end == _start && _requestBody is null or { IsCompletedSuccessfully: true } && Volatile.Read(ref _disposed) == 0)
        {
            _requestBody = null;
            IsReused = true;
            pool.Return(this);
        }
        else
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            socket.Dispose();
        }
    }
}
