namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>proxy-cache's memory on each edge (section <c>Turnpike:ProxyCache</c>): Kong sizes it with the shared dictionary's size.</summary>
internal sealed class ProxyCacheOptions
{
    public const string Section = "Turnpike:ProxyCache";

    /// <summary>The most bytes this edge keeps for every proxy-cache instance together; the least recently used go first.</summary>
    public long MemorySize { get; set; } = 128L * 1024 * 1024;

    /// <summary>A response larger than this is passed through uncached (its body is never held).</summary>
    public long MaxEntrySize { get; set; } = 1024 * 1024;

    /// <summary>How often an edge holding entries reads the purges issued through other edges.</summary>
    public TimeSpan PurgePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>With <c>request_collapsing</c>, how long a request waits for the miss in flight for its key before going to the upstream itself.</summary>
    public TimeSpan CollapseWait { get; set; } = TimeSpan.FromSeconds(10);
}
