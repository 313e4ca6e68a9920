using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The official OpenAI Node.js SDK (tests/ai-sdk, installed by tests/run.sh) as a client of the gateway: one
/// request per call, answered with what the SDK made of the response (see tests/ai-sdk/chat.mjs).
/// </summary>
internal static class OpenAiSdk
{
    private static string Script => Path.Combine(RepoPaths.Root, "tests", "ai-sdk", "chat.mjs");

    /// <summary>Runs chat.mjs with <paramref name="request"/> (baseURL, apiKey, model, messages, stream, …).</summary>
    public static Task<JsonObject> RunAsync(object request) => RunScriptAsync(Script, request);

    /// <summary>Runs <paramref name="script"/> (a file of tests/ai-sdk printing one JSON object) with <paramref name="request"/>.</summary>
    internal static async Task<JsonObject> RunScriptAsync(string script, object request)
    {
        var name = Path.GetFileName(script);
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(JsonSerializer.Serialize(request));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} exited with {process.ExitCode}: {await errors}");
        }

        var text = await output;
        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException(name + " printed no JSON object: " + text);
    }
}
