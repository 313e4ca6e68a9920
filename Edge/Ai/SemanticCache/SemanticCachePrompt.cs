using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// What of a chat request the cache looks at (Kong's <c>message_countback</c> and <c>ignore_*_prompts</c>): the last
/// messages whose roles are not ignored. Their text, one message a line, is what gets embedded; the key is the SHA-256
/// (hex) of the instance and of those messages' roles and texts written as JSON, so no arrangement of text across
/// messages (a newline in one, a role's name in another) can make two different conversations share a key, and the
/// key is 64 hex digits whatever the client sent: safe in a header and in a Redis key.
/// </summary>
internal static class SemanticCachePrompt
{
    public static (string Text, string Key)? Build(JsonObject body, string space, SemanticCachePromptRules rules)
    {
        if (body["messages"] is not JsonArray messages)
        {
            return null;
        }

        var kept = new List<(string Role, string Text)>();
        for (var i = messages.Count - 1; i >= 0 && kept.Count < rules.MessageCountback; i--)
        {
            var role = AiJson.String(messages[i]?["role"]) ?? "";
            if ((rules.IgnoreSystem && role is "system" or "developer")
                || (rules.IgnoreAssistant && role == "assistant")
                || (rules.IgnoreTool && role is "tool" or "function"))
            {
                continue;
            }

            kept.Add((role, AiJson.Text(messages[i]?["content"])));
        }

        if (kept.Count == 0 || kept.TrueForAll(m => m.Text.Length == 0))
        {
            return null;
        }

        kept.Reverse();
        var text = string.Join('\n', kept.Select(m => m.Text));
        using var canonical = new MemoryStream();
        try
        {
            Write(canonical, space, kept);
        }
        catch (ArgumentException)
        {
            return null; // text that is not valid UTF-16 (a lone surrogate): not cached
        }

        return (text, Convert.ToHexStringLower(SHA256.HashData(canonical.GetBuffer().AsSpan(0, (int)canonical.Length))));
    }

    private static void Write(Stream output, string space, List<(string Role, string Text)> kept)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartArray();
            json.WriteStringValue(space);
            foreach (var (role, content) in kept)
            {
                json.WriteStringValue(role);
                json.WriteStringValue(content);
            }

            json.WriteEndArray();
        }
    }
}

/// <summary>Which messages of a chat the cache looks at.</summary>
internal readonly record struct SemanticCachePromptRules(int MessageCountback, bool IgnoreSystem, bool IgnoreAssistant, bool IgnoreTool);
