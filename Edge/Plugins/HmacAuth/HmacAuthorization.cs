namespace Turnpike.Edge.Plugins.HmacAuth;

/// <summary>
/// The parameters of an <c>Authorization: hmac username="…", algorithm="…", headers="…", signature="…"</c> header, in
/// that order as Kong reads them (the scheme in any case, spaces after the commas optional).
/// </summary>
internal sealed record HmacAuthorization(string Username, string Algorithm, string[] Headers, string Signature)
{
    private static readonly string[] Order = ["username", "algorithm", "headers", "signature"];

    /// <summary>The parameters, or null when the header is not an hmac credential in Kong's form.</summary>
    public static HmacAuthorization? Parse(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var text = header.AsSpan().Trim();
        if (text.Length < 4 || !text[..4].Equals("hmac", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        text = text[4..].TrimStart();
        var values = new string[Order.Length];
        for (var i = 0; i < Order.Length; i++)
        {
            if (i > 0)
            {
                if (text.IsEmpty || text[0] != ',')
                {
                    return null;
                }

                text = text[1..].TrimStart();
            }

            var name = Order[i];
            if (!text.StartsWith(name, StringComparison.Ordinal) || text.Length < name.Length + 2 || text[name.Length] != '=' || text[name.Length + 1] != '"')
            {
                return null;
            }

            text = text[(name.Length + 2)..];
            var end = text.IndexOf('"');
            if (end <= 0)
            {
                return null; // unterminated, or empty as Kong's (.+) refuses
            }

            values[i] = text[..end].ToString();
            text = text[(end + 1)..];
        }

        if (!text.Trim().IsEmpty)
        {
            return null;
        }

        return new HmacAuthorization(values[0], values[1], values[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), values[3]);
    }
}
