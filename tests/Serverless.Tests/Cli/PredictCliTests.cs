using System.Net;
using System.Text.Json.Nodes;
using Serverless.Cli;

namespace Serverless.Tests.Cli;

/// <summary><c>predict</c>: rows read from CSV or JSON Lines, sent in batches to one version, written like batch scoring's output.</summary>
public sealed class PredictCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("predict-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Csv_SentInBatches_PinnedToTheFirstAnswersVersion_WrittenAsCsv()
    {
        var input = Write("rows.csv", "id,amount,city,note\nt1,1.5,Paris,\nt2,-2,007,=cmd\nt3,3e2,\"Rome, IT\",x\nt4,4,Oslo,y\nt5,5,Nice,z\n");
        var output = Path.Combine(_folder, "out.csv");
        var api = new FakeApi()
            .On(HttpMethod.Post, "models/fraud/predict", r => Answer("3", r))
            .On(HttpMethod.Post, "models/fraud/versions/3/predict", r => Answer("3", r));

        var (code, _, stderr) = await api.RunAsync("predict", "fraud", "--input", input, "--batch-size", "2", "--id-column", "id", "--output", output);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(["models/fraud/predict", "models/fraud/versions/3/predict", "models/fraud/versions/3/predict"], api.Requests.Select(r => r.Path));
        var first = JsonNode.Parse(api.Requests[0].Body)!["instances"]!.AsArray();
        Assert.Equal(2, first.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount": 1.5, "city": "Paris", "note": null}"""), first[0]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount": -2, "city": "007", "note": "=cmd"}"""), first[1]));
        Assert.Equal(300, (double)JsonNode.Parse(api.Requests[1].Body)!["instances"]![0]!["amount"]!);
        Assert.Equal(
            ["id,label,probability,score_0,score_1", "t1,legit,0.9,0.9,0.1", "t2,fraud,0.9,0.1,0.9", "t3,legit,0.9,0.9,0.1", "t4,fraud,0.9,0.1,0.9", "t5,legit,0.9,0.9,0.1"],
            File.ReadAllLines(output));
        Assert.Contains("wrote 5 predictions of fraud version 3", stderr);
    }

    [Fact]
    public async Task JsonLines_SentAsTheyAre_PrintedAsTheApisShape()
    {
        var input = Write("rows.jsonl", "{\"x\": 1, \"tag\": \"a\"}\n\n{\"x\": 2, \"tag\": \"b\"}\n");
        var api = new FakeApi().On(HttpMethod.Post, "models/reg/versions/2/predict", r => FakeApi.Json(
            $$"""{"model_name": "reg", "model_version": "2", "predictions": [{{string.Join(",", JsonNode.Parse(r.Body)!["instances"]!.AsArray()
                .Select(i => $$"""{"value": {{(double)i!["x"]! + 0.5}}}"""))}}]}"""));

        var (code, stdout, _) = await api.RunAsync("predict", "reg", "--input", input, "--version", "2", "-o", "json");
        var (tableCode, table, _) = await api.RunAsync("predict", "reg", "--input", input, "--version", "2", "--id-column", "tag", "--batch-size", "1");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("""{"instances":[{"x": 1, "tag": "a"},{"x": 2, "tag": "b"}]}""", api.Requests[0].Body);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"model_name": "reg", "model_version": "2", "predictions": [{"value": 1.5}, {"value": 2.5}]}"""),
            JsonNode.Parse(stdout)));
        Assert.Equal(ExitCodes.Success, tableCode);
        Assert.Contains(table.Split('\n'), l => l.StartsWith("b ", StringComparison.Ordinal) && l.EndsWith("2.5", StringComparison.Ordinal));
        Assert.Equal(["""{"instances":[{"x":1}]}""", """{"instances":[{"x":2}]}"""], api.Requests.Skip(1).Select(r => r.Body));
    }

    [Fact]
    public async Task RowRefused_IsTheApisMessage_Exit4()
    {
        var input = Write("rows.csv", "city\nAtlantis\n");
        var api = new FakeApi().On(HttpMethod.Post, "models/fraud/predict", HttpStatusCode.BadRequest,
            """{"error": "row 0, feature 'city': 'Atlantis' is not one of the known categories", "code": "invalid_input"}""");

        var (code, _, stderr) = await api.RunAsync("predict", "fraud", "--input", input);

        Assert.Equal(ExitCodes.ApiRefused, code);
        Assert.Contains("HTTP 400 (invalid_input): row 0, feature 'city': 'Atlantis' is not one of the known categories", stderr);
    }

    [Theory]
    [InlineData("empty.csv", "")]
    [InlineData("header.csv", "a,b\n")]
    [InlineData("ragged.csv", "a,b\n1,2,3\n")]
    [InlineData("bad.jsonl", "{\"a\": 1}\n[1]\n")]
    public async Task UnusableInput_IsADataError_BeforeAnyRequest(string name, string text)
    {
        var api = new FakeApi();

        var (code, _, stderr) = await api.RunAsync("predict", "m", "--input", Write(name, text));

        Assert.Equal(ExitCodes.DataError, code);
        Assert.StartsWith("error:", stderr);
        Assert.Empty(api.Requests);
    }

    private static FakeApi.Answer Answer(string version, FakeApi.Request request)
    {
        var rows = JsonNode.Parse(request.Body)!["instances"]!.AsArray();
        var predictions = rows.Select(r => (double)r!["amount"]! is -2 or 4
            ? """{"label": "fraud", "probability": 0.9, "scores": [0.1, 0.9]}"""
            : """{"label": "legit", "probability": 0.9, "scores": [0.9, 0.1]}""");
        return FakeApi.Json($$"""{"model_name": "fraud", "model_version": "{{version}}", "predictions": [{{string.Join(",", predictions)}}]}""");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
