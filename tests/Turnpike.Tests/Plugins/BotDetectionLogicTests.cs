using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.BotDetection;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>bot-detection's built-in list and its allow/deny order, against real User-Agents.</summary>
[Fast]
public sealed class BotDetectionLogicTests
{
    private static readonly IGatewayPlugin Plugin = new BotDetectionPlugin();

    private static BotDetectionHandler Handler(string config = "{}")
    {
        var errors = new FieldErrors();
        var stored = Plugin.ReadConfig(new FieldReader(JsonNode.Parse(config)!.AsObject(), errors, "config."));
        Assert.Empty(errors.All);
        return (BotDetectionHandler)Plugin.CreateHandler(stored, Guid.NewGuid());
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]
    [InlineData("Twitterbot/1.0")]
    [InlineData("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)")]
    [InlineData("Baiduspider+(+http://www.baidu.com/search/spider.htm)")]
    [InlineData("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")]
    [InlineData("Scrapy/2.11.0 (+https://scrapy.org)")]
    [InlineData("Python-urllib/3.11")]
    [InlineData("Apache-HttpClient/4.5.13 (Java/17.0.2)")]
    [InlineData("ia_archiver (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)")]
    [InlineData("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)")]
    [InlineData("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)")]
    [InlineData("SomeCompany Web Crawler 1.0")]
    public void A_known_bot_is_refused(string agent) => Assert.True(Handler().Refuses(agent));

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")]
    [InlineData("Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36")]
    [InlineData("curl/8.5.0")]
    [InlineData("python-requests/2.31.0")]
    public void A_browser_or_an_ordinary_client_passes(string agent) => Assert.False(Handler().Refuses(agent));

    [Fact]
    public void Allow_wins_over_deny_and_the_built_in_list_and_deny_adds_to_it()
    {
        var handler = Handler("""{"allow":["Googlebot"],"deny":["^curl/", "Googlebot"]}""");
        Assert.False(handler.Refuses("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        Assert.True(handler.Refuses("curl/8.5.0"));
        Assert.True(handler.Refuses("bingbot/2.0"));
    }

    [Theory]
    [InlineData("""{"deny":["(a)\\1"]}""", "config.deny")]
    [InlineData("""{"allow":["(?=x)"]}""", "config.allow")]
    [InlineData("""{"deny":["("]}""", "config.deny")]
    [InlineData("""{"deny":[""]}""", "config.deny")]
    public void A_pattern_that_cannot_run_in_linear_time_or_does_not_parse_names_its_field(string config, string field)
    {
        var errors = new FieldErrors();
        Plugin.ReadConfig(new FieldReader(JsonNode.Parse(config)!.AsObject(), errors, "config."));
        Assert.Contains(errors.All.Keys, k => k.StartsWith(field, StringComparison.Ordinal));
    }
}
