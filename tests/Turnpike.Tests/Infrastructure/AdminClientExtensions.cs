using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>Terse admin API calls for tests: JSON in, status and JSON out.</summary>
internal static class AdminClientExtensions
{
    public static async Task<(int Status, JsonNode? Body)> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<(int Status, JsonNode? Body)> PostJsonAsync(this HttpClient client, string path, object body) => client.SendJsonAsync(HttpMethod.Post, path, body);

    /// <summary>A POST that must create (201); anything else throws with the answer, for set-ups outside tests' assertions.</summary>
    public static async Task CreateAsync(this HttpClient client, string path, object body)
    {
        var (status, json) = await client.PostJsonAsync(path, body);
        if (status != 201)
        {
            throw new InvalidOperationException($"POST {path}: {status} {json?.ToJsonString()}");
        }
    }

    public static Task<(int Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string path) => client.SendJsonAsync(HttpMethod.Get, path);

    public static async Task<(int Status, JsonNode? Body)> PostFormAsync(this HttpClient client, string path, params (string Key, string Value)[] fields)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Retries a proxy request until <paramref name="accept"/> holds (propagation is asynchronous); fails the test when the timeout passes first.</summary>
    public static async Task<HttpResponseMessage> EventuallyAsync(this HttpClient client, string path, Func<HttpResponseMessage, bool> accept, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20)); // generous: CI machines are loaded
        while (true)
        {
            var response = await client.GetAsync(path);
            if (accept(response))
            {
                return response;
            }

            if (DateTime.UtcNow > deadline)
            {
                var status = response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                response.Dispose();
                throw new TimeoutException($"GET {path} still answered {(int)status} {body} after the propagation timeout");
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }
}
