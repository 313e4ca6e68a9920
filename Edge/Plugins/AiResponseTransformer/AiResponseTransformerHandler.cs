using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.AiRequestTransformer;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiResponseTransformer;

/// <summary>
/// Holds the upstream's response body (up to <c>max_request_body_size</c>), has the LLM rewrite it, and answers the
/// client with the rewrite: under the upstream's status and headers, or, with <c>parse_llm_response_json_instructions</c>,
/// under the status and headers the LLM's JSON gives (<see cref="AiResponseInstructions"/>). Every failure is Kong's 500.
/// </summary>
internal sealed class AiResponseTransformerHandler(AiTransformer transformer) : IPluginHandler
{
    public const string BadInstructions = "failed to parse JSON response instructions from AI backend: ";
    public const string TooLarge = "failed to transform response: the upstream's response body is larger than max_request_body_size";
    public const string Undecodable = "failed to transform response: the upstream's response body could not be decoded";

    private int MaxBodySize => transformer.Options.MaxBodySize;

    public ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        context.BufferResponseBody(MaxBodySize);
        return ValueTask.FromResult(true);
    }

    public async ValueTask OnResponseBodyAsync(ProxyContext context)
    {
        var response = context.HttpContext.Response;
        if (context.ResponseBodyTooLarge)
        {
            Fail(context, $"{TooLarge} ({MaxBodySize} bytes)");
            return;
        }

        var (body, undecodable) = await DecodedAsync(context.ResponseBuffer!.ToArray(), response.Headers.ContentEncoding, context.HttpContext.RequestAborted);
        if (body is null)
        {
            Fail(context, undecodable!);
            return;
        }

        var (text, error) = await transformer.TransformAsync(context, Encoding.UTF8.GetString(body));
        if (text is null)
        {
            Fail(context, error!);
            return;
        }

        // The body is the LLM's now: the upstream's framing of its own says nothing about it.
        response.Headers.ContentEncoding = StringValues.Empty;
        response.Headers.ContentLength = null;
        if (!transformer.Options.ParseJsonInstructions)
        {
            context.ReplaceResponseBody(Encoding.UTF8.GetBytes(text));
            return;
        }

        if (AiResponseInstructions.Parse(text, out var problem) is not { } instructions)
        {
            Fail(context, BadInstructions + problem);
            return;
        }

        response.StatusCode = instructions.Status;
        foreach (var group in instructions.Headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
        {
            response.Headers[group.Key] = group.Select(h => h.Value).ToArray(); // the LLM's value replaces the upstream's
        }

        if (instructions.JsonBody && string.IsNullOrEmpty(response.ContentType))
        {
            response.ContentType = "application/json; charset=utf-8";
        }

        context.ReplaceResponseBody(instructions.Body);
    }

    /// <summary>The body as the LLM should read it: a gzip, deflate or br body decoded, within the limit; else why not.</summary>
    private async Task<(byte[]? Body, string? Error)> DecodedAsync(byte[] body, StringValues encoding, CancellationToken cancellationToken)
    {
        Stream? decoder = encoding.ToString().Trim().ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(new MemoryStream(body), CompressionMode.Decompress),
            "deflate" => new ZLibStream(new MemoryStream(body), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(body), CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null)
        {
            return (body, null); // identity, or an encoding Kong does not decode either: the LLM gets the bytes as they are
        }

        await using (decoder)
        {
            try
            {
                var decoded = await BoundedBodies.ReadAsync(decoder, null, MaxBodySize, cancellationToken);
                return decoded is null ? (null, $"{TooLarge} ({MaxBodySize} bytes, decoded)") : (decoded, null);
            }
            catch (InvalidDataException)
            {
                return (null, Undecodable);
            }
        }
    }

    /// <summary>Kong's 500 for a transformation that failed, in place of the upstream's answer.</summary>
    private static void Fail(ProxyContext context, string message)
    {
        var response = context.HttpContext.Response;
        response.Headers.Clear();
        response.StatusCode = StatusCodes.Status500InternalServerError;
        response.ContentType = "application/json";
        context.ReplaceResponseBody(Encoding.UTF8.GetBytes(AiErrors.Body(message, AiErrors.ServerError).ToJsonString()));
    }
}
