using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Kong's listing parameters: <c>size</c> (1..1000, default 100), <c>offset</c>, <c>tags</c> (<c>a,b</c> all,
/// <c>a/b</c> any), and for consumers <c>custom_id</c>.
/// </summary>
internal static class ListQuery
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1000;

    public static (EntityQuery? Query, AdminError? Error) Parse(IQueryCollection query, EntityKind kind)
    {
        var (size, sizeError) = ParseSize(query);
        if (sizeError is not null)
        {
            return (null, sizeError);
        }

        Guid? after = null;
        if (query.TryGetValue("offset", out var offsetText) && offsetText.ToString() is { Length: > 0 } offset)
        {
            if (Decode(offset) is not { } decoded)
            {
                return (null, new AdminError { Code = AdminError.InvalidOffsetCode, Name = "invalid offset", Message = $"'{offset}' is not a valid offset: bad base64 encoding" });
            }

            after = decoded;
        }

        string[]? tags = null;
        var all = true;
        if (query.TryGetValue("tags", out var tagText) && tagText.ToString() is { Length: > 0 } filter)
        {
            var hasAnd = filter.Contains(',', StringComparison.Ordinal);
            var hasOr = filter.Contains('/', StringComparison.Ordinal);
            if (hasAnd && hasOr)
            {
                return (null, InvalidTags("invalid filter syntax"));
            }

            all = !hasOr;
            tags = filter.Split(hasOr ? '/' : ',');
            if (tags.Length > 5)
            {
                return (null, InvalidTags("cannot query more than 5 tags"));
            }

            if (tags.Any(t => t.Length == 0))
            {
                return (null, InvalidTags("invalid filter syntax"));
            }
        }

        // Kong finds a consumer by custom_id through the listing: GET /consumers?custom_id=x.
        var customId = kind == EntityKind.Consumer && query.TryGetValue("custom_id", out var custom) ? custom.ToString() : null;
        return (new EntityQuery { Kind = kind, Size = size, After = after, Tags = tags, AllTags = all, CustomId = customId }, null);
    }

    /// <summary>Kong's <c>size</c>: 1..1000, 100 when not given.</summary>
    public static (int Size, AdminError? Error) ParseSize(IQueryCollection query)
    {
        if (!query.TryGetValue("size", out var sizeText))
        {
            return (DefaultSize, null);
        }

        if (!int.TryParse(sizeText, out var size))
        {
            return (0, new AdminError { Code = AdminError.InvalidSizeCode, Name = "invalid size", Message = "size must be a number" });
        }

        return size is < 1 or > MaxSize
            ? (0, new AdminError { Code = AdminError.InvalidSizeCode, Name = "invalid size", Message = $"size must be an integer between 1 and {MaxSize}" })
            : (size, null);
    }

    public static string Encode(Guid id) => Convert.ToBase64String(id.ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Guid? Decode(string offset)
    {
        var base64 = offset.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        var bytes = new byte[18];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == 16 ? new Guid(bytes.AsSpan(0, 16)) : null;
    }

    private static AdminError InvalidTags(string problem) => new()
    {
        Code = AdminError.InvalidOptionsCode,
        Name = "invalid options",
        Message = $"invalid option (tags: {problem})",
        Fields = new() { ["tags"] = problem },
    };
}
