using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>A compact-serialized JWT split into its parts; nothing here is trusted until the signature is checked.</summary>
internal sealed class JwtToken
{
    private JwtToken(JsonElement header, JsonElement claims, byte[] signingInput, byte[] signature, string algorithm)
    {
        Header = header;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
        Algorithm = algorithm;
    }

    public JsonElement Header { get; }

    public JsonElement Claims { get; }

    /// <summary>The bytes the signature covers: the encoded header, a dot, the encoded claims.</summary>
    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string Algorithm { get; }

    /// <summary>Parses a token, or gives Kong's reason ("invalid JSON", "invalid alg", "invalid signature").</summary>
    public static JwtToken? Parse(string token, out string? problem)
    {
        problem = null;
        var parts = token.Split('.', 3);
        if (parts.Length < 3 || Object(parts[0]) is not { } header || Object(parts[1]) is not { } claims)
        {
            problem = "invalid JSON";
            return null;
        }

        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || !JwtAlgorithms.IsSupported(alg.GetString()!))
        {
            problem = "invalid alg";
            return null;
        }

        if (Decode(parts[2]) is not { } signature)
        {
            problem = "invalid signature";
            return null;
        }

        return new JwtToken(header, claims, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, alg.GetString()!);
    }

    /// <summary>A claim (or, as Kong falls back, a header field) as text; null when absent.</summary>
    public string? Text(string name)
    {
        var found = Claims.TryGetProperty(name, out var value) || Header.TryGetProperty(name, out value);
        return !found || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.String ? value.GetString()
            : value.GetRawText();
    }

    /// <summary>A numeric claim, or null when it is absent or not a number.</summary>
    public double? Number(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>base64url without padding (RFC 7515); tolerant of padding, as Kong is.</summary>
    public static byte[]? Decode(string part)
    {
        var trimmed = part.TrimEnd('=');
        return Base64Url.IsValid(trimmed) ? Base64Url.DecodeFromChars(trimmed) : null;
    }

    private static JsonElement? Object(string part)
    {
        if (Decode(part) is not { } bytes)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
