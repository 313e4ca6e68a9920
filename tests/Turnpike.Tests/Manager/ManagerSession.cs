using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Turnpike.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Turnpike.Tests.Manager;

/// <summary>A browser tab on one edge's <c>/manager</c>, signed in with the admin token as a user would (the token field).</summary>
internal sealed class ManagerSession : IAsyncDisposable
{
    /// <summary>Where screenshots go: docs/images when TURNPIKE_SCREENSHOTS_DIR says so (to refresh the docs), else the test output.</summary>
    private static readonly string ScreenshotDirectory = Environment.GetEnvironmentVariable("TURNPIKE_SCREENSHOTS_DIR") is { Length: > 0 } dir
        ? Path.GetFullPath(dir, RepoPaths.Root)
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly BrowserPage _tab;

    private ManagerSession(BrowserPage tab, string baseUrl)
    {
        _tab = tab;
        BaseUrl = baseUrl;
    }

    public IPage Page => _tab.Page;

    public string BaseUrl { get; }

    /// <summary>Script errors and console errors so far (a blocked inline script would be one).</summary>
    public IReadOnlyList<string> Errors => _tab.Errors;

    /// <param name="beforeLoad">Runs on the new tab before the app loads (to hold back one of its calls, say).</param>
    public static async Task<ManagerSession> OpenAsync(ManagerClusterFixture cluster, EdgeNode edge, int width = 1280, int height = 800, bool signIn = true, Func<IPage, Task>? beforeLoad = null)
    {
        SetDefaultExpectTimeout(15_000);
        var tab = await cluster.Browser.NewPageAsync(width, height);
        var session = new ManagerSession(tab, $"http://127.0.0.1:{edge.AdminPort}/manager/");
        if (beforeLoad is not null)
        {
            await beforeLoad(tab.Page);
        }

        await tab.Page.GotoAsync(session.BaseUrl);
        if (!signIn)
        {
            return session;
        }

        await tab.Page.GetByLabel("Admin token").FillAsync(ManagerClusterFixture.AdminToken);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Use", Exact = true }).ClickAsync();
        await Expect(tab.Page.Locator("#token-state")).ToHaveTextAsync("Token set for this tab.");
        await Expect(tab.Page.Locator("main h1")).ToHaveTextAsync("Turnpike Manager");
        return session;
    }

    /// <summary>Goes to a page of the app (<c>#/services/new</c>) and waits for its heading.</summary>
    public async Task GoAsync(string hash, string heading)
    {
        await Page.EvaluateAsync("hash => { location.hash = hash; }", hash);
        await Expect(Page.Locator("main h1")).ToHaveTextAsync(heading);
        await Expect(Page.Locator("main[aria-busy]")).ToHaveCountAsync(0);
    }

    public ILocator Field(string path) => Page.Locator($"main [name='{path}']");

    public Task ClickAsync(string button) => Page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();

    public Task SelectAsync(string path, string label) => Field(path).SelectOptionAsync(new SelectOptionValue { Label = label });

    public async Task ExpectSavedAsync(string message) =>
        await Expect(Page.Locator("main .notice.success")).ToHaveTextAsync(new Regex(Regex.Escape(message)));

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"manager-{name}.png"), FullPage = true });
    }

    public ValueTask DisposeAsync() => _tab.DisposeAsync();
}
