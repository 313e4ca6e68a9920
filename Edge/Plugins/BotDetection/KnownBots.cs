using System.Text.RegularExpressions;

namespace Turnpike.Edge.Plugins.BotDetection;

/// <summary>
/// The User-Agents bot-detection refuses without being told: the same families as Kong's built-in list (search-engine
/// and social crawlers, monitors, archivers, HTTP libraries used for scraping, and anything calling itself a bot,
/// spider, crawler, scraper, indexer or archiver), written here as one pattern for the non-backtracking engine, so its
/// cost is linear in the User-Agent. Case-sensitive where Kong's is, so <c>CUBOT</c> phones and plain browsers pass.
/// </summary>
internal static partial class KnownBots
{
    [GeneratedRegex(
        """
        (?x)
          Pingdom\.com_bot_version_\d                                    # uptime monitors
        | facebookexternalhit/\d | Twitterbot/\d | LinkedInBot | Google.*/\+/web/snippet   # link previews
        | (?:[A-Za-z]+-)?Googlebot | AdsBot-Google | Mediapartners-Google | AppEngine-Google | Google-HTTP-Java-Client
        | bingbot | BingPreview | msnbot | Yahoo!\ Slurp | Slurp | Yandex\w+ | [Bb]ai[Dd]u[Ss]pider | Ask\ Jeeves | altavista | lycos
        | ia_archiver | archive\.org_bot | heritrix | InternetArchive | Scrapy | Nutch | larbin | MJ12bot | WordPress | WhatWeb
        | Apache-HttpClient | Python-urllib | WinHTTP | HttpMonitor | TLSProber | JNLP | http%20client # scraping libraries
        | MSIECrawler
        | [Ss][Pp][Ii][Dd][Ee][Rr] | [Ss]crape | [Cc][Rr][Aa][Ww][Ll] | [Aa]rchiver/\d | [Ii]ndexer/\d   # self-described
        | [^C][^Uu][Bb]ot                                                 # "...bot", but not CUBOT phones
        """,
        RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    public static partial Regex Pattern();
}
