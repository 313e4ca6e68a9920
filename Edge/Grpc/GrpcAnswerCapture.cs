using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Turnpike.Edge.Grpc;

/// <summary>
/// Holds what plugins write while they run on a gRPC call, so that an answer a plugin gives in its usual HTTP shape
/// (key-auth's 401 JSON, request-termination's body, a CORS preflight) is turned into a gRPC status before anything
/// reaches the client: every plugin, present or future, is covered without knowing about gRPC. It is the response
/// body for the plugin phase; once the plugins let the call through it passes everything on, so a plugin that layered
/// a stream over it meanwhile (response-transformer's buffer) still reaches the client through it.
/// </summary>
internal sealed class GrpcAnswerCapture : Stream, IHttpResponseBodyFeature
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _client;
    private MemoryStream? _buffer;
    private PipeWriter? _writer;
    private bool _capturing = true;

    private GrpcAnswerCapture(HttpContext context, IHttpResponseBodyFeature client)
    {
        _context = context;
        _client = client;
    }

    /// <summary>Starts holding the response body of <paramref name="context"/>.</summary>
    public static GrpcAnswerCapture Begin(HttpContext context)
    {
        var capture = new GrpcAnswerCapture(context, context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        return capture;
    }

    /// <summary>The plugins let the call through: nothing was written, and from now on everything goes to the client.</summary>
    public void Pass()
    {
        _capturing = false;
        if (ReferenceEquals(_context.Features.Get<IHttpResponseBodyFeature>(), this))
        {
            _context.Features.Set(_client); // nobody layered over it: take it out of the path
        }
    }

    /// <summary>A plugin answered: its status and body become the call's gRPC status (unless it wrote one already).</summary>
    public async Task AnswerAsync()
    {
        await FlushWriterAsync(); // a plugin that wrote through the pipe without flushing
        var response = _context.Response;
        var status = response.StatusCode;
        var message = GrpcAnswer.IsWritten(response) ? null
            : GrpcAnswer.MessageOf(status, response.ContentType, _buffer is { Length: > 0 } buffer ? buffer.GetBuffer().AsSpan(0, (int)buffer.Length) : default);
        Pass();
        if (message is not null)
        {
            await GrpcAnswer.WriteAsync(_context, status, message);
        }
        else
        {
            response.ContentLength = null; // a buffering plugin before it may have declared its (empty) body's length
        }
    }

    /// <summary>The plugin phase failed: what was written is dropped and the proxy answers the failure itself.</summary>
    public void Discard()
    {
        _buffer = null;
        Pass();
    }

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _capturing ? _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true)) : _client.Writer;

    void IHttpResponseBodyFeature.DisableBuffering() => _client.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => _capturing ? Task.CompletedTask : _client.StartAsync(cancellationToken);

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        _capturing ? SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken) : _client.SendFileAsync(path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => _capturing ? FlushWriterAsync() : _client.CompleteAsync();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_capturing)
        {
            (_buffer ??= new MemoryStream()).Write(buffer);
        }
        else
        {
            _client.Stream.Write(buffer);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_capturing)
        {
            (_buffer ??= new MemoryStream()).Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        return _client.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        if (!_capturing)
        {
            _client.Stream.Flush();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _capturing ? Task.CompletedTask : _client.Stream.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task FlushWriterAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }
}
