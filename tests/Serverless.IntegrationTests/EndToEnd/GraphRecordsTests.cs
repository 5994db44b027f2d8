using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Training;
using Serverless.IntegrationTests.Support;
using Serverless.Orchestrations.Training;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Inference graphs through the records API and batch scoring on the runner: an ensemble of two tabular models answers records
/// with the mean of its members' records answers (read with the entry member's manifest, written with the exit member's), names
/// the member versions that served, logs each member's rows under its features' names; a graph no manifest maps is refused with
/// the reason until a manifest is registered on the graph itself; and batch scoring of the graph equals its online answers row by row, with the member versions pinned at start.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class GraphRecordsTests
{
    private const int Features = 4;
    private readonly StackFixture _stack;

    public GraphRecordsTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task Predict_EnsembleOfTabularMembers_AnswersTheMeanOfTheirAnswers_NamesTheVersions_AndLogsMembersByFeature()
    {
        await RegisterEnsembleAsync("gr");
        var rows = Rows(1, 5);

        var graph = await PredictAsync("gr-ensemble", rows);
        var a = await PredictAsync("gr-a", rows);
        var b = await PredictAsync("gr-b", rows);

        var expected = a.Probabilities.Zip(b.Probabilities, (x, y) => (x + y) / 2).ToArray();
        Assert.Equal(expected, graph.Probabilities, (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal("gr-ensemble", graph.Json.GetProperty("model_name").GetString());
        var steps = graph.Json.GetProperty("graph").GetProperty("steps").EnumerateArray()
            .Select(s => $"{s.GetProperty("node").GetString()}={s.GetProperty("model").GetString()}@{s.GetProperty("version").GetString()}").ToList();
        Assert.Equal(["a=gr-a@1", "b=gr-b@1"], steps);

        var memberRows = await GraphMemberRows.ReadAsync(_stack, "gr-b", graph.RequestId);
        Assert.Equal(5, memberRows.Count);
        Assert.All(memberRows, r => Assert.Equal(Enumerable.Range(0, Features).Select(ReferenceManifests.FeatureName).Order(), r.Features.Keys.Order()));
        Assert.All(memberRows, r => Assert.NotNull(r.Probability));
    }

    [Fact]
    public async Task Predict_GraphNoManifestMaps_Is400SayingWhy_UntilAManifestIsRegisteredOnTheGraph()
    {
        foreach (var (name, onnx) in new[] { ("gn-double", GraphModels.Scale(2)), ("gn-sum", GraphModels.RowSum()) })
        {
            Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{name}/versions/1", onnx)).Status);
        }

        await PutAsync("graphs/gn-sequence/versions/1", """
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}], "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "featurize", "model": "gn-double@1"}, {"name": "sum", "model": "gn-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """);

        var answer = await _stack.Client.PostJsonAsync("models/gn-sequence/predict", """{"instances": [{"x": 1}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Inference graph 'gn-sequence' version '1' cannot be served as records: no member with a manifest reads every graph input", answer.Error);
        Assert.Contains("PUT /api/models/gn-sequence/versions/1/manifest", answer.Error);

        await PutAsync("models/gn-sequence/versions/1/manifest", """
            {"task": "regression", "features": [{"name": "a", "type": "numeric"}, {"name": "b", "type": "numeric"}],
             "inputs": {"layout": "tensor", "name": "x"}, "outputs": {"value": "total"}}
            """);
        var served = await _stack.Client.PostJsonAsync("models/gn-sequence/predict", """{"instances": [{"a": 1, "b": 2}, {"a": 3, "b": -4}]}""");

        Assert.True(served.Status == HttpStatusCode.OK, served.Body?.ToString());
        Assert.Equal([6.0, -2.0], served.Json.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task BatchScoring_OfAGraph_EqualsItsOnlineAnswersRowByRow_AndRecordsTheMemberVersionsItPinned()
    {
        await RegisterEnsembleAsync("gb");
        const int count = 3_000;
        var rows = Rows(7, count);
        await UploadAsync("graphs/rows.csv", Csv(rows, i => "r" + i));

        var status = await RunBatchAsync("""
            {"input": "data/graphs/rows.csv", "model": "gb-ensemble", "output": "scores/graphs/run", "id_column": "id", "chunk_rows": 1000, "merge": true}
            """);
        var online = await PredictAsync("gb-ensemble", rows);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var output = status.GetProperty("output");
        Assert.Equal(count, output.GetProperty("rows_out").GetInt64());
        Assert.Equal("{\"gb-a@1\":\"1\",\"gb-b:production\":\"1\"}", output.GetProperty("members").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        var merged = (await new BlobContainerClient(_stack.ConnectionString, "scores").GetBlobClient("graphs/run/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var batch = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => double.Parse(f[2], CultureInfo.InvariantCulture));
        Assert.Equal(count, batch.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(online.Chosen[i], batch["r" + i], 1e-6);
        }
    }

    [Fact]
    public async Task Predict_GraphWithTheExitsPostRuleAndACodeNode_AnswersAsDeclared_AndBatchScoringAndEvaluationAgree()
    {
        const int count = 400;
        await RegisterEnsembleAsync("gd", """[{"kind": "rule", "name": "review", "when": "probability > 0.6 and f0 > 0", "label": "review", "annotation": "refer"}]""",
            """, {"name": "band", "kind": "code", "step": "confidence_band"}""");
        var rows = Rows(11, count);

        var online = await PredictAsync("gd-ensemble", rows);
        var answers = online.Json.GetProperty("predictions").EnumerateArray().ToList();
        for (var i = 0; i < count; i++)
        {
            var reviewed = online.Probabilities[i] > 0.6 && rows[i][0] > 0;
            Assert.Equal(reviewed ? "review" : online.Probabilities[i] >= 0.5 ? "1" : "0", Text(answers[i].GetProperty("label")));
            var annotations = answers[i].GetProperty("annotations").EnumerateArray().Select(a => a.GetString()).ToList();
            Assert.Equal(reviewed ? 2 : 1, annotations.Count);
            Assert.StartsWith("confidence: ", annotations[^1]);
        }

        Assert.Contains(answers, a => Text(a.GetProperty("label")) == "review");
        await UploadAsync("graphs/decided.csv", Csv(rows, i => "r" + i));
        var status = await RunBatchAsync("""
            {"input": "data/graphs/decided.csv", "model": "gd-ensemble", "output": "scores/graphs/decided", "id_column": "id", "chunk_rows": 100, "merge": true}
            """);
        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var merged = (await new BlobContainerClient(_stack.ConnectionString, "scores").GetBlobClient("graphs/decided/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var lines = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        var header = lines[0].ToList();
        var batch = lines.Skip(1).ToDictionary(f => f[0]);
        Assert.Equal(count, batch.Count);
        for (var i = 0; i < count; i++)
        {
            var row = batch["r" + i];
            Assert.Equal(Text(answers[i].GetProperty("label")), row[header.IndexOf("label")]);
            Assert.Equal(string.Join("; ", answers[i].GetProperty("annotations").EnumerateArray().Select(a => a.GetString())), row[header.IndexOf("annotations")]);
            Assert.Equal(answers[i].TryGetProperty("model_label", out var modelLabel) ? Text(modelLabel) : "", row[header.IndexOf("model_label")]);
        }

        var path = Path.Combine(Path.GetTempPath(), $"gd-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, Csv(rows, i => rows[i][1] > 0 ? "1" : "0", "target"));
        var evaluation = await ActivatorUtilities.CreateInstance<EvaluateModelActivity>(_stack.Host.Services)
            .RunAsync(null!, new EvaluationInput("gd-ensemble", "1", new Uri(path).AbsoluteUri, "target", "binary", null));
        File.Delete(path);
        Assert.Equal(count, evaluation.RowsScored);
        Assert.Equal(ModelMetrics.Auc(rows.Select(r => r[1] > 0 ? 1 : 0).ToList(), online.Probabilities), evaluation.Metrics[MetricNames.Auc], 1e-6);
    }

    [Fact]
    public async Task Register_GraphCodeNodeNamingAnUnregisteredStep_Is400NamingNodeAndStep()
    {
        await RegisterEnsembleAsync("gu");

        var refused = await _stack.Client.PutJsonAsync("graphs/gu-coded/versions/1", $$$"""
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, {{{Features}}}]}], "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "a", "model": "gu-a@1"}, {"name": "polish", "kind": "code", "step": "no_such_step"}]}}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Graph node 'polish' names code step 'no_such_step', which is not registered in this app; it has 'confidence_band'", refused.Error);
    }

    /// <summary>
    /// Two logistic regressions over the same features (different weights), each with its manifest (with <paramref name="post"/> steps), and
    /// their mean ensemble (followed by <paramref name="after"/> nodes in a root sequence).
    /// </summary>
    private async Task RegisterEnsembleAsync(string prefix, string? post = null, string after = "")
    {
        foreach (var (member, seed) in new[] { ("a", 1), ("b", 2) })
        {
            var name = $"{prefix}-{member}";
            var manifest = ReferenceManifests.LogisticRegression(Features);
            await PutBytesAsync($"models/{name}/versions/1", ReferenceModels.LogisticRegression(Features, seed));
            await PutAsync($"models/{name}/versions/1/manifest", post is null ? manifest : manifest[..manifest.LastIndexOf('}')] + $", \"post\": {post}}}");
        }

        await PutAsync($"models/{prefix}-b/aliases/production", """{"version": "1"}""");
        var ensemble = $$"""{"name": "avg", "kind": "ensemble", "combine": "mean", "output": "probability", "steps": [{"name": "a", "model": "{{prefix}}-a@1"}, {"name": "b", "model": "{{prefix}}-b:production"}]}""";
        await PutAsync($"graphs/{prefix}-ensemble/versions/1", $$$"""
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, {{{Features}}}]}],
             "root": {{{(after.Length == 0 ? ensemble : $$"""{"name": "seq", "kind": "sequence", "steps": [{{ensemble}}{{after}}]}""")}}}}
            """);
    }

    /// <summary>A CSV of the rows with a first column (<paramref name="name"/>, or "id" and then last) from <paramref name="cell"/>.</summary>
    private static string Csv(double[][] rows, Func<int, string> cell, string? name = null)
    {
        var features = string.Join(",", Enumerable.Range(0, Features).Select(ReferenceManifests.FeatureName));
        var csv = new StringBuilder(name is null ? "id," + features + "\n" : features + "," + name + "\n");
        for (var i = 0; i < rows.Length; i++)
        {
            var values = string.Join(",", rows[i].Select(v => v.ToString(CultureInfo.InvariantCulture)));
            csv.Append(name is null ? cell(i) + "," + values : values + "," + cell(i)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>A label as batch output writes it: a text, or a number's JSON text.</summary>
    private static string? Text(JsonElement label) => label.ValueKind == JsonValueKind.String ? label.GetString() : label.GetRawText();

    private async Task UploadAsync(string path, string text)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "data");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(path).UploadAsync(BinaryData.FromString(text), overwrite: true);
    }

    private static double[][] Rows(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Features).Select(_ => Math.Round(random.NextDouble() * 4 - 2, 3)).ToArray()).ToArray();
    }

    /// <summary>The answer, each row's positive-class probability (scores[1]) and the predicted label's probability, and the request id.</summary>
    private async Task<(JsonElement Json, double[] Probabilities, double[] Chosen, string RequestId)> PredictAsync(string model, double[][] rows)
    {
        var columns = string.Join(",", Enumerable.Range(0, Features).Select(i => $"\"{ReferenceManifests.FeatureName(i)}\""));
        var data = string.Join(",", rows.Select(r => "[" + string.Join(",", r.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]"));
        var answer = await _stack.Client.PostJsonAsync($"models/{model}/predict", $$"""{"dataframe_split": {"columns": [{{columns}}], "data": [{{data}}]} }""");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{model}: {answer.Status} {answer.Body}");
        var predictions = answer.Json.GetProperty("predictions").EnumerateArray().ToList();
        return (answer.Json, predictions.Select(p => p.GetProperty("scores")[1].GetDouble()).ToArray(), predictions.Select(p => p.GetProperty("probability").GetDouble()).ToArray(),
            answer.Response.Headers.GetValues("x-request-id").Single());
    }

    private async Task<JsonElement> RunBatchAsync(string body)
    {
        var start = await _stack.Client.PostJsonAsync("orchestrations/batch-scoring", body);
        Assert.True(start.Status == HttpStatusCode.Accepted, $"{start.Status} {start.Body}");
        var id = start.Json.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var status = await _stack.Client.GetJsonAsync($"orchestrations/{id}");
            if (status.Json.GetProperty("runtime_status").GetString() is "Completed" or "Failed" or "Terminated")
            {
                return status.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"orchestration {id} still running: {status.Json}");
            await Task.Delay(250);
        }
    }

    private async Task PutBytesAsync(string path, byte[] bytes)
    {
        var put = await _stack.Client.PutBytesAsync(path, bytes);
        Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{path}: {put.Status} {put.Body}");
    }

    private async Task PutAsync(string path, string json)
    {
        var put = await _stack.Client.PutJsonAsync(path, json);
        Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{path}: {put.Status} {put.Body}");
    }
}
