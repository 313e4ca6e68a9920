using System.Reflection;
using System.Security.Cryptography;

namespace Turnpike.Edge.Manager;

/// <summary>
/// The Manager's files, built into this assembly as embedded resources (<c>manager/…</c>) and read once at start:
/// an edge needs no directory of its own and no network to serve them, and no request path can reach the file system.
/// </summary>
internal sealed class ManagerAssets
{
    private const string Prefix = "manager/";

    private readonly Dictionary<string, ManagerAsset> _assets;

    public ManagerAssets()
        : this(typeof(ManagerAssets).Assembly)
    {
    }

    internal ManagerAssets(Assembly assembly)
    {
        _assets = new Dictionary<string, ManagerAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var path = name[Prefix.Length..].Replace('\\', '/');
            _assets[path] = new ManagerAsset(content, ContentTypeOf(path), $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }
    }

    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>The file at <paramref name="path"/> (relative to <c>/manager/</c>, case-sensitive), or null.</summary>
    public ManagerAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}

/// <summary>One file of the Manager: its bytes, media type and a strong ETag from its content.</summary>
internal sealed record ManagerAsset(byte[] Content, string ContentType, string ETag);
