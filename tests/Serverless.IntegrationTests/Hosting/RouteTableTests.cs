using System.Text.Json;
using Serverless.Functions;
using Serverless.Local.Catalog;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Hosting;

public sealed class RouteTableTests
{
    [Fact]
    public void RunnerRouteTable_EqualsTheSdkGeneratedFunctionsMetadata()
    {
        var metadataPath = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(metadataPath), $"functions.metadata was not built next to the tests ({metadataPath}).");
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var expected = metadata.RootElement.EnumerateArray()
            .Select(f => (Function: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => Describe(f.Function, f.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()), f.Trigger.GetProperty("route").GetString()!, f.Trigger.GetProperty("authLevel").GetString()!))
            .Order()
            .ToList();

        var actual = FunctionCatalog.FromAssembly(typeof(FunctionAppServiceCollectionExtensions).Assembly).HttpRoutes()
            .Select(r => Describe(r.FunctionName, r.Methods, r.Template, r.AuthLevel.ToString()))
            .Order()
            .ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void RoutePrefix_IsReadFromHostJson()
    {
        var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);

        Assert.Equal("api", LocalSettings.RoutePrefix(Path.Combine(root, "host.json")));
    }

    private static string Describe(string function, IEnumerable<string> methods, string route, string authLevel) =>
        $"{function} [{string.Join(",", methods.Order())}] {route} ({authLevel})";
}
