using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Serverless.Functions.Console;

namespace Serverless.Tests.Console;

public sealed partial class ConsoleAssetsTests
{
    private readonly ConsoleAssets _assets = new();

    [Fact]
    public void Index_NamesEveryOtherAssetWithItsVersion_AndNothingElse()
    {
        var page = Encoding.UTF8.GetString(_assets.Index.Bytes);
        var named = AssetReference().Matches(page).Select(m => (Name: m.Groups[1].Value, Version: m.Groups[2].Value)).ToList();

        Assert.Equal(_assets.Names.Where(n => n != ConsoleAssets.IndexName).Order(), named.Select(n => n.Name).Order());
        Assert.All(named, n => Assert.Equal(_assets.Find(n.Name)!.Version, n.Version));
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Assets_HaveTheirContentTypes_AndGzipCopiesOfTheSameBytes()
    {
        Assert.Equal("text/html; charset=utf-8", _assets.Index.ContentType);
        Assert.Equal("text/javascript; charset=utf-8", _assets.Find("console.js")!.ContentType);
        Assert.Equal("text/css; charset=utf-8", _assets.Find("console.css")!.ContentType);
        foreach (var name in _assets.Names)
        {
            var asset = _assets.Find(name)!;
            using var gzip = new GZipStream(new MemoryStream(asset.Gzipped), CompressionMode.Decompress);
            using var copy = new MemoryStream();
            gzip.CopyTo(copy);
            Assert.Equal(asset.Bytes, copy.ToArray());
        }
    }

    [Theory]
    [InlineData("../console.js")]
    [InlineData("CONSOLE.JS")]
    [InlineData("console.js ")]
    [InlineData("")]
    public void Find_AnythingButAnExactName_IsNull(string name)
    {
        Assert.Null(_assets.Find(name));
    }

    [Fact]
    public async Task Result_TheBrowsersCopyIsCurrent_Is304WithoutABody()
    {
        var asset = _assets.Find("console.js")!;
        var context = Context();
        context.Request.Headers.IfNoneMatch = $"\"other\", {asset.ETag}";

        await new ConsoleAssetResult(asset, revalidate: true).ExecuteAsync(context);

        Assert.Equal(304, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
        Assert.Equal(asset.ETag, context.Response.Headers.ETag.ToString());
        Assert.Equal("no-cache", context.Response.Headers.CacheControl.ToString());
    }

    [Theory]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("br;q=1.0, gzip;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("identity", false)]
    [InlineData("", false)]
    public async Task Result_Gzip_OnlyWhenTheBrowserTakesIt(string acceptEncoding, bool gzipped)
    {
        var asset = _assets.Find("console.js")!;
        var context = Context();
        context.Request.Headers.AcceptEncoding = acceptEncoding;

        await new ConsoleAssetResult(asset, revalidate: false).ExecuteAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(gzipped ? asset.Gzipped : asset.Bytes, ((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal(gzipped ? "gzip" : "", context.Response.Headers.ContentEncoding.ToString());
        Assert.Equal("public, max-age=31536000, immutable", context.Response.Headers.CacheControl.ToString());
        Assert.Equal(ConsoleAssetResult.ContentSecurityPolicy, context.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
    }

    [Fact]
    public void ContentSecurityPolicy_AllowsNoInlineOrForeignScript()
    {
        var scripts = ConsoleAssetResult.ContentSecurityPolicy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));

        Assert.Equal("script-src 'self'", scripts);
        Assert.Contains("default-src 'none'", ConsoleAssetResult.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", ConsoleAssetResult.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    private static DefaultHttpContext Context() => new() { Response = { Body = new MemoryStream() } };

    [GeneratedRegex("\"console/([a-z]+\\.(?:js|css))\\?v=([0-9a-f]{16})\"")]
    private static partial Regex AssetReference();
}
