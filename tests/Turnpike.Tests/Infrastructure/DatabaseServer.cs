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

    /// <summary>PostgreSQL: another database on this server, with Turnpike's schema; its connection string.</summary>
    public async Task<string> CreatePostgresDatabaseAsync(string name)
    {
        var parts = ConnectionString.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {parts["Port"]} -U turnpike -d postgres -c 'CREATE DATABASE \"{name}\"' && "
            + $"\"$0\" postgresql://turnpike@127.0.0.1:{parts["Port"]}/{name}");
        info.ArgumentList.Add(Path.Combine(_scripts, "apply-schema.sh"));
        info.Environment["PGPASSWORD"] = parts["Password"];
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? ConnectionString.Replace("Database=turnpike", "Database=" + name, StringComparison.Ordinal)
            : throw new InvalidOperationException($"creating database {name} failed ({process.ExitCode}): {await error}");
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
        var (exitCode, output, error) = await ToolProcess.RunAsync("bash", script, argument);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{script} {argument} failed ({exitCode}): {error}{output}");
    }
}
