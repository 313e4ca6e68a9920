using Microsoft.Playwright;

namespace Turnpike.Tests.Manager;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium, installed by infra/install-servers.sh), headless, driven by Playwright:
/// never a browser of Playwright's own download. The flags keep it off the network (it would otherwise call
/// Google's services at start) and out of the machine's GPU and sandbox, which a CI container lacks.
/// </summary>
internal sealed class HeadlessBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessBrowser> StartAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run infra/install-servers.sh (Debian's chromium package)");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            // Playwright launches every browser with a new empty profile directory of its own.
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = Flags });
            return new HeadlessBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new tab in its own context (no shared session storage), with console errors and page errors collected.</summary>
    public async Task<BrowserPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, ServiceWorkers = ServiceWorkerPolicy.Block });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var result = new BrowserPage(context, page);
        page.PageError += (_, error) => result.Errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                result.Errors.Add(message.Text);
            }
        };
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>One tab: the page, and the script errors and console errors it has had (a CSP violation is one).</summary>
internal sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public List<string> Errors { get; } = [];

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
