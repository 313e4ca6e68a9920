using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// A dev edge whose environment holds AWS credentials and a region (as Kong reads them), and a fake Lambda endpoint
/// that knows those credentials and the ones the tests configure.
/// </summary>
public sealed class AwsLambdaFixture : IAsyncLifetime
{
    public const string EnvironmentKey = "AKIDENVIRONMENT";
    public const string EnvironmentSecret = "environment/secret+KEY";
    public const string ConfigKey = "AKIDCONFIG";
    public const string ConfigSecret = "config/secret+KEY/abc";

    internal EdgeNode Edge { get; private set; } = null!;

    internal FakeLambda Lambda { get; private set; } = null!;

    private int _routes;

    public async Task InitializeAsync()
    {
        Lambda = await FakeLambda.StartAsync();
        Lambda.AddKey(EnvironmentKey, EnvironmentSecret);
        Lambda.AddKey(ConfigKey, ConfigSecret);
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = EnvironmentKey,
            ["AWS_SECRET_ACCESS_KEY"] = EnvironmentSecret,
            ["AWS_REGION"] = FakeLambda.Region,
        });
    }

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Lambda is not null)
        {
            await Lambda.DisposeAsync();
        }
    }

    /// <summary>
    /// A route answered by aws-lambda with <paramref name="config"/> on top of the fake endpoint's address; returns its path
    /// once the edge serves it. The service's URL is never called (Kong needs one too).
    /// </summary>
    internal async Task<string> RouteAsync(Dictionary<string, object?> config)
    {
        var name = $"lambda-{Interlocked.Increment(ref _routes)}-{Guid.NewGuid().ToString("N")[..6]}";
        var full = new Dictionary<string, object?>(config)
        {
            ["host"] = "127.0.0.1",
            ["port"] = Lambda.Port,
            ["disable_https"] = true,
        };
        await Edge.Admin.CreateAsync("/services", new { name, url = "http://127.0.0.1:9" });
        await Edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "aws-lambda", config = full });
        await Edge.Admin.CreateAsync($"/services/{name}/routes", new { name, paths = new[] { "/" + name } });
        using var _ = await Edge.Proxy.EventuallyAsync("/" + name, r => r.StatusCode != System.Net.HttpStatusCode.NotFound);
        return "/" + name;
    }
}

[CollectionDefinition(Name)]
public sealed class AwsLambdaCollection : ICollectionFixture<AwsLambdaFixture>
{
    public const string Name = "aws-lambda";
}
