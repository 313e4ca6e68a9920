using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiPromptGuard;

/// <summary>
/// Checks the user prompts (all roles with <c>match_all_roles</c>; only the latest with
/// <c>allow_all_conversation_history</c>) against the patterns. A refused prompt gets Kong's 400 "bad request",
/// which does not tell the client a guard is there.
/// </summary>
internal sealed class AiPromptGuardHandler(Regex[] allow, Regex[] deny, bool latestOnly, bool allRoles, int maxBodyBytes) : IPluginHandler
{
    public const string Refused = "bad request";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai)
        {
            return false;
        }

        var http = context.HttpContext;
        if (Prompts(ai.Body) is not { } prompts)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, Refused); // Kong's answer to every guard failure
            return false;
        }

        try
        {
            if (deny.Any(p => p.IsMatch(prompts)) || (allow.Length > 0 && !allow.Any(p => p.IsMatch(prompts))))
            {
                await AiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, Refused);
                return false;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, "a prompt guard pattern took too long");
            return false;
        }

        return true;
    }

    /// <summary>The text the patterns are matched against: the prompts, latest first, space-separated; null for a body in neither format.</summary>
    private string? Prompts(JsonObject body)
    {
        if (body["messages"] is JsonArray messages)
        {
            var text = new StringBuilder();
            for (var i = messages.Count - 1; i >= 0; i--)
            {
                var role = AiJson.String(messages[i]?["role"]);
                if (role is null)
                {
                    return null;
                }

                if (role == "user" || allRoles)
                {
                    text.Append(AiJson.Text(messages[i]!["content"])).Append(' ');
                    if (latestOnly)
                    {
                        break;
                    }
                }
            }

            return text.ToString();
        }

        return AiJson.String(body["prompt"]);
    }
}
