using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Functions;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Functions.Registry;
using Serverless.Tests.LocalRunner;

namespace Serverless.Tests.OpenApi;

public sealed partial class OpenApiDocumentTests
{
    private static readonly JsonObject Document = OpenApiDocumentBuilder.Build(typeof(FunctionAppServiceCollectionExtensions).Assembly, "1.2.3");

    [Fact]
    public void Document_IsStructurallyValidOpenApi_EveryRefResolves()
    {
        Assert.Empty(OpenApiStructure.Problems(Document));
        Assert.Equal("3.1.0", Document["openapi"]!.GetValue<string>());
    }

    [Fact]
    public void Validator_CatchesAnUnresolvedRefAndAMissingPathParameter()
    {
        var broken = (JsonObject)Document.DeepClone();
        broken["paths"]!["/models/{name}"] = new JsonObject
        {
            ["get"] = new JsonObject
            {
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "x", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Nothing" } } } } },
            },
        };

        var problems = OpenApiStructure.Problems(broken);

        Assert.Contains(problems, p => p.Contains("'#/components/schemas/Nothing' does not resolve"));
        Assert.Contains(problems, p => p.Contains("do not match the template"));
    }

    [Fact]
    public void EveryOperation_DeclaresItsCallerAndTheMatchingKeys()
    {
        foreach (var (path, method, operation) in Operations())
        {
            var caller = operation["x-caller"]!.GetValue<string>();
            var schemes = operation["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)).Order().ToList();
            var expected = caller switch
            {
                "anyone" => [],
                "client" => new[] { "function_key_header", "function_key_query", "master_key_header", "master_key_query" },
                _ => ["master_key_header", "master_key_query"],
            };
            Assert.True(expected.Order().SequenceEqual(schemes), $"{method} {path} ({caller}): {string.Join(", ", schemes)}");
            Assert.Equal(caller != "anyone", operation["responses"]!.AsObject().ContainsKey("401"));
        }
    }

    [Fact]
    public void ErrorResponses_ListOnlyKnownCodes_WithTheirStatus()
    {
        string Text(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var known = ErrorCodes.All.Select(c => (c.Code, Text(c.Status))).ToHashSet();
        var knownMlflow = ErrorCodes.All.Select(c => MlflowErrors.For(c.Code)).Select(m => (m.ErrorCode, Text(m.Status))).ToHashSet();
        var seen = 0;
        foreach (var (path, method, operation) in Operations())
        {
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                var mlflow = response!["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/MlflowError";
                foreach (var code in response["x-error-codes"]?.AsArray().Select(c => c!.GetValue<string>()) ?? [])
                {
                    Assert.True((mlflow ? knownMlflow : known).Contains((code, status)), $"{method} {path}: unknown code {code} with status {status}");
                    seen++;
                }
            }
        }

        Assert.True(seen > 0);
        Assert.Equal(ErrorCodes.All.Select(c => c.Code), Document["x-error-codes"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()));
    }

    [Fact]
    public void Schemas_AreSnakeCase_AndTheOrchestrationStatusListsItsShapes()
    {
        var schemas = Document["components"]!["schemas"]!.AsObject();
        var names = schemas.SelectMany(s => (s.Value!["properties"] as JsonObject)?.Select(p => p.Key) ?? []).Distinct().ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches(SnakeCase(), n));
        var customStatus = schemas["OrchestrationStatusResponse"]!["properties"]!["custom_status"]!["anyOf"]!.AsArray()
            .Select(s => s!["$ref"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.Contains("#/components/schemas/SweepProgress", customStatus);
        Assert.Contains("#/components/schemas/BatchScoringProgress", customStatus);
        Assert.Contains("trials_done", schemas["SweepProgress"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Build_HttpFunctionWithoutDescription_Fails()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OpenApiDocumentBuilder.Build(typeof(SampleFunctions).Assembly, "1"));

        Assert.Contains("has no [ApiOperation]", error.Message);
    }

    [Fact]
    public void ManifestSchema_NamesTheFieldsTheManifestReaderAccepts()
    {
        var reader = typeof(Serverless.Core.Models.ModelManifest).Assembly;
        foreach (var (documented, read) in new[]
                 {
                     (typeof(ManifestDocument), "Document"), (typeof(ManifestFeatureDocument), "FeatureDocument"),
                     (typeof(ManifestInputsDocument), "InputsDocument"), (typeof(ManifestOutputsDocument), "OutputsDocument"),
                     (typeof(ManifestStepDocument), "ManifestStepsJson+StepDocument"),
                 })
        {
            var nested = read.Contains('+') ? read : "ManifestJson+" + read;
            var readerType = reader.GetType($"{typeof(Serverless.Core.Models.ModelManifest).Namespace}.{nested}", throwOnError: true)!;
            var accepted = readerType.GetProperties().Select(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                .Cast<System.Text.Json.Serialization.JsonPropertyNameAttribute>().Single().Name).Order();
            var schema = Document["components"]!["schemas"]![documented.Name]!["properties"]!.AsObject().Select(p => p.Key).Order();
            Assert.Equal(accepted, schema);
        }
    }

    [Fact]
    public void Document_SerializesDeterministically()
    {
        var again = OpenApiDocumentBuilder.Build(typeof(FunctionAppServiceCollectionExtensions).Assembly, "1.2.3");

        Assert.Equal(Document.ToJsonString(), again.ToJsonString());
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
