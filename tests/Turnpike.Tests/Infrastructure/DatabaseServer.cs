using System.Diagnostics;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL or Redis server started by the project's own scripts (infra/postgres, infra/redis)
/// with its data in a temporary directory; stopped and deleted on dispose. Restartable on the same port.
/// </summary>
internal sealed class DatabaseServer : IAsyncDisposable
{
    private readonly string _scripts;

    private DatabaseServer(string scripts, string directory, string connectionString)
    {
        _scripts = scripts;
        Directory = directory;
        ConnectionString = connectionString;
    }

    public string Directory { get; }

    public string ConnectionString { get; }

    public static Task<DatabaseServer> StartPostgresAsync() => StartAsync("postgres");

    public static Task<DatabaseServer> StartRedisAsync() => StartAsync("redis");

    public Task StopAsync() => RunAsync(Path.Combine(_scripts, "stop.sh"), Directory);

    /// <summary>Starts the stopped server again with its data, on the same port.</summary>
    public Task RestartAsync() => RunAsync(Path.Combine(_scripts, "start.sh"), Directory);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static async Task<DatabaseServer> StartAsync(string kind)
    {
        var scripts = Path.Combine(RepoPaths.Root, "infra", kind);
        var directory = Path.Combine(Path.GetTempPath(), $"turnpike-{kind}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var connection = (await RunAsync(Path.Combine(scripts, "start.sh"), directory)).Trim();
        return new DatabaseServer(scripts, directory, connection);
    }

    private static async Task<string> RunAsync(string script, string argument)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{script} {argument} failed ({process.ExitCode}): {await error}{await output}");
    }
}
