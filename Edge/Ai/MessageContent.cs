using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>One part of an OpenAI message's content: text, or an image by URL (a <c>data:</c> URL carries the image itself).</summary>
internal readonly record struct ContentPart(string? Text, string? ImageUrl)
{
    /// <summary>The media type and base64 data of a <c>data:</c> URL image; false for a link to an image elsewhere.</summary>
    public bool TryInline(out string mediaType, out string data)
    {
        (mediaType, data) = ("", "");
        const string Prefix = "data:";
        var url = ImageUrl;
        var marker = url?.IndexOf(";base64,", StringComparison.Ordinal) ?? -1;
        if (url is null || !url.StartsWith(Prefix, StringComparison.Ordinal) || marker < 0)
        {
            return false;
        }

        (mediaType, data) = (url[Prefix.Length..marker], url[(marker + ";base64,".Length)..]);
        return true;
    }

    /// <summary>
    /// The parts of a message's content: a string is one text part; an array's text and image_url parts in order
    /// (audio and file parts are not translated and are refused by the providers' translations).
    /// </summary>
    public static List<ContentPart> Of(JsonNode? content)
    {
        var parts = new List<ContentPart>();
        if (AiJson.String(content) is { } text)
        {
            parts.Add(new ContentPart(text, null));
        }
        else if (content is JsonArray array)
        {
            foreach (var part in array)
            {
                switch (AiJson.String(part?["type"]))
                {
                    case "text" or null:
                        parts.Add(new ContentPart(AiJson.String(part?["text"]) ?? "", null));
                        break;
                    case "image_url":
                        parts.Add(new ContentPart(null, AiJson.String(part!["image_url"]?["url"]) ?? AiJson.String(part["image_url"])));
                        break;
                    case var other:
                        throw new LlmRequestException($"content parts of type '{other}' are not supported for this provider");
                }
            }
        }

        return parts;
    }

    /// <summary>An image given as a link, for providers that only take images inline.</summary>
    public static LlmRequestException LinkedImage(string provider) =>
        new($"images must be given as data: URLs (base64) for the {provider} provider");
}
