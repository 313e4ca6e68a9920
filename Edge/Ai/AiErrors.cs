using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Errors on AI routes, in OpenAI's shape <c>{"error": {"message", "type", "param", "code"}}</c>: what OpenAI's SDKs
/// parse, and a superset of what Kong's AI plugins answer (<c>{"error": {"message"}}</c>).
/// </summary>
internal static class AiErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    public static JsonObject Body(string message, string type, string? code = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
    };

    public static Task WriteAsync(HttpContext context, int status, string message, string? type = null) =>
        WriteJsonAsync(context, status, Body(message, type ?? (status >= 500 ? ServerError : InvalidRequest)));

    public static Task WriteJsonAsync(HttpContext context, int status, JsonObject body) =>
        Proxy.ProxyErrors.WriteJsonAsync(context, status, System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
}
