using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Functions.Console;

/// <summary>
/// The console's static files, embedded in this assembly (functions/Console/Assets) and read once: each with its content
/// type, a strong ETag (a SHA-256 prefix of its bytes) and a gzip copy. The page names every other asset with
/// <c>?v={version}</c> so a browser may keep them for a year and still never runs an old script with a new page. Thread-safe.
/// </summary>
public sealed class ConsoleAssets
{
    /// <summary>The page's own name among the assets.</summary>
    public const string IndexName = "index.html";

    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, ConsoleAsset> _assets;

    public ConsoleAssets()
        : this(typeof(ConsoleAssets).Assembly)
    {
    }

    internal ConsoleAssets(Assembly assembly)
    {
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            raw[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }

        if (!raw.ContainsKey(IndexName))
        {
            throw new InvalidOperationException($"The console's {IndexName} is not embedded in {assembly.GetName().Name}.");
        }

        var assets = raw.Where(a => a.Key != IndexName).ToDictionary(a => a.Key, a => Build(a.Key, a.Value), StringComparer.Ordinal);
        var page = Encoding.UTF8.GetString(raw[IndexName]);
        foreach (var (name, asset) in assets)
        {
            page = page.Replace($"\"console/{name}\"", $"\"console/{name}?v={asset.Version}\"", StringComparison.Ordinal);
        }

        assets[IndexName] = Build(IndexName, Encoding.UTF8.GetBytes(page));
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The asset's names (the page and every file it loads).</summary>
    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The page.</summary>
    public ConsoleAsset Index => _assets[IndexName];

    /// <summary>The asset of that exact name, or null: names are looked up, never mapped to paths.</summary>
    public ConsoleAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static ConsoleAsset Build(string name, byte[] bytes)
    {
        var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return new ConsoleAsset(name, contentType, bytes, gzipped.ToArray(), version);
    }
}

/// <summary>One console file: its bytes, gzip copy, content type and version (the ETag's value).</summary>
public sealed record ConsoleAsset(string Name, string ContentType, byte[] Bytes, byte[] Gzipped, string Version)
{
    public string ETag => $"\"{Version}\"";
}
