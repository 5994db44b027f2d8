using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions;
using Serverless.Functions.OpenApi;

namespace Serverless.IntegrationTests.Hosting;

/// <summary>
/// The OpenAPI document describes exactly the routes the Functions SDK generates (functions.metadata): every HTTP
/// function's route, methods and caller, nothing more. A route added without its [ApiOperation] fails to build the document.
/// </summary>
public sealed class OpenApiRouteTableTests
{
    [Fact]
    public void OpenApiDocument_EqualsTheSdkGeneratedRouteTable()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        var expected = metadata.RootElement.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("direction").GetString() == "In" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(f => f.Trigger.GetProperty("methods").EnumerateArray().Select(m =>
                $"{m.GetString()!.ToUpperInvariant()} /{f.Trigger.GetProperty("route").GetString()!.Replace("{*", "{", StringComparison.Ordinal)} {f.Name} " +
                $"({OpenApiDocumentBuilder.Caller(Enum.Parse<AuthorizationLevel>(f.Trigger.GetProperty("authLevel").GetString()!, ignoreCase: true))})"))
            .Order(StringComparer.Ordinal)
            .ToList();

        var document = OpenApiDocumentBuilder.Build(typeof(FunctionAppServiceCollectionExtensions).Assembly, "1");
        var described = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m =>
                $"{m.Key.ToUpperInvariant()} {p.Key} {m.Value!["operationId"]!.GetValue<string>()} ({m.Value!["x-caller"]!.GetValue<string>()})"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, described);
    }
}
