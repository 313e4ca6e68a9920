using System.Text;
using System.Text.RegularExpressions;
using Turnpike.Edge.Manager;
using Xunit;

namespace Turnpike.Tests.Manager;

/// <summary>The Manager's files as built into the Edge assembly: complete, self-contained, and free of markup sinks.</summary>
[Fast]
public sealed partial class ManagerAssetTests
{
    private readonly ManagerAssets _assets = new();

    private string Text(string path) => Encoding.UTF8.GetString(_assets.Find(path)?.Content ?? throw new Xunit.Sdk.XunitException($"{path} is not embedded"));

    /// <summary>The page's own modules (the vendored library is checked against its npm package by vendor.sh --check).</summary>
    private IEnumerable<string> Scripts() => _assets.Paths.Where(p => p.StartsWith("js/", StringComparison.Ordinal));

    [Fact]
    public void The_page_its_styles_and_its_modules_are_embedded()
    {
        Assert.Contains("index.html", _assets.Paths);
        Assert.Contains("manager.css", _assets.Paths);
        Assert.Contains("vendor/uplot/uPlot.esm.js", _assets.Paths);
        Assert.True(Scripts().Count() >= 10);
    }

    [Fact]
    public void Every_file_the_page_and_its_modules_reference_is_embedded()
    {
        foreach (Match link in AssetReference().Matches(Text("index.html")))
        {
            Assert.NotNull(_assets.Find(link.Groups["path"].Value));
        }

        foreach (var script in Scripts())
        {
            foreach (Match import in ModuleImport().Matches(Text(script)))
            {
                var resolved = Path.GetFullPath(Path.Combine("/", Path.GetDirectoryName(script)!, import.Groups["path"].Value))[1..];
                Assert.True(_assets.Find(resolved) is not null, $"{script} imports {resolved}, which is not embedded");
            }
        }
    }

    [Fact]
    public void Nothing_is_loaded_from_another_origin()
    {
        foreach (var file in Scripts().Append("index.html").Append("manager.css"))
        {
            Assert.DoesNotMatch(OtherOrigin(), Text(file));
        }
    }

    [Fact]
    public void No_module_writes_markup_from_strings()
    {
        // The page builds every node with textContent and attributes (dom.js); these sinks would parse text as HTML.
        foreach (var script in Scripts())
        {
            Assert.DoesNotMatch(MarkupSink(), Text(script));
        }
    }

    [Fact]
    public void Files_have_their_media_types_and_content_etags()
    {
        Assert.Equal("text/html; charset=utf-8", _assets.Find("index.html")!.ContentType);
        Assert.Equal("text/javascript; charset=utf-8", _assets.Find("js/app.js")!.ContentType);
        Assert.Equal("text/css; charset=utf-8", _assets.Find("vendor/uplot/uPlot.min.css")!.ContentType);
        Assert.NotEqual(_assets.Find("js/app.js")!.ETag, _assets.Find("js/api.js")!.ETag);
        Assert.Null(_assets.Find("../appsettings.json"));
        Assert.Null(_assets.Find("js"));
    }

    [GeneratedRegex(@"(?:src|href)=""(?<path>(?!data:|#)[^""]+)""")]
    private static partial Regex AssetReference();

    [GeneratedRegex("""(?:from|import)\s+'(?<path>\.[^']+)'""")]
    private static partial Regex ModuleImport();

    [GeneratedRegex("""(?:src|href|url\()\s*=?\s*["']?(?:https?:)?//""")]
    private static partial Regex OtherOrigin();

    [GeneratedRegex(@"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")]
    private static partial Regex MarkupSink();
}
