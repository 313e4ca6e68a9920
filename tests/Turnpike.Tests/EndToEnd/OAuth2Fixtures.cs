using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Tests.EndToEnd;

/// <summary>An oauth2-protected route for the tests: a service with the plugin, a consumer with an application, and a route.</summary>
internal sealed record OAuth2Route(string Path, string ProvisionKey, string ClientId, string ClientSecret, string ConsumerId, string RedirectUri)
{
    /// <summary>Creates it through <paramref name="admin"/> and waits until <paramref name="proxy"/> serves it (401 without a token).</summary>
    public static async Task<OAuth2Route> CreateAsync(HttpClient admin, HttpClient proxy, string upstreamUrl, object config, string clientType = "confidential")
    {
        var name = "oa2-" + Guid.NewGuid().ToString("N")[..8];
        var redirect = $"https://{name}.example/cb";
        await admin.CreateAsync("/services", new { name, url = upstreamUrl });
        var (status, plugin) = await admin.PostJsonAsync($"/services/{name}/plugins", new { name = "oauth2", config });
        if (status != 201)
        {
            throw new InvalidOperationException($"oauth2 plugin: {status} {plugin?.ToJsonString()}");
        }

        var (_, consumer) = await admin.PostJsonAsync("/consumers", new { username = name });
        var (appStatus, app) = await admin.PostJsonAsync($"/consumers/{name}/oauth2", new
        {
            name = name + "-app",
            client_id = name + "-client",
            client_secret = name + "-secret",
            redirect_uris = new[] { redirect },
            client_type = clientType,
        });
        if (appStatus != 201)
        {
            throw new InvalidOperationException($"oauth2 application: {appStatus} {app?.ToJsonString()}");
        }

        await admin.CreateAsync($"/services/{name}/routes", new { name, paths = new[] { "/" + name } });
        using var ready = await proxy.EventuallyAsync("/" + name, r => r.StatusCode == HttpStatusCode.Unauthorized);
        return new("/" + name, plugin!["config"]!["provision_key"]!.GetValue<string>(), name + "-client", name + "-secret", consumer!["id"]!.GetValue<string>(), redirect);
    }

    /// <summary>POSTs a form to the route's <paramref name="endpoint"/> (<c>token</c>, <c>authorize</c>) as if TLS had been terminated in front.</summary>
    public async Task<(int Status, JsonObject Body, HttpResponseMessage Response)> PostAsync(HttpClient proxy, string endpoint, params (string Key, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Path}/oauth2/{endpoint}")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await proxy.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject(), response);
    }

    /// <summary>A client_credentials token for the route's application.</summary>
    public async Task<string> ClientCredentialsTokenAsync(HttpClient proxy, params (string Key, string Value)[] extra)
    {
        var (status, body, _) = await PostAsync(proxy, "token", [("grant_type", "client_credentials"), ("client_id", ClientId), ("client_secret", ClientSecret), .. extra]);
        return status == 200 ? body["access_token"]!.GetValue<string>() : throw new InvalidOperationException($"token: {status} {body.ToJsonString()}");
    }

    /// <summary>GETs the route with <paramref name="token"/> as a bearer token; the status and, when proxied, the upstream's echo.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(HttpClient proxy, string? token, Action<HttpRequestMessage>? before = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path + "/resource");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        before?.Invoke(request);
        var response = await proxy.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }
}
