using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>
/// The app's sweeps read through MLflow's API: a small sweep on the runner (two trials by the built-in trainer) appears in the
/// "Sweeps" experiment as a parent run with a child run per trial (params, metrics, tags, the trial's model as an artifact), found
/// by searches over metrics, params and tags, and every attempt to change it through MLflow is refused while it stays as it was.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MlflowSweepRunsTests
{
    private const string SweepsExperiment = "999999999";

    private readonly StackFixture _stack;
    private readonly MlflowRest _mlflow;

    public MlflowSweepRunsTests(StackFixture stack)
    {
        _stack = stack;
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task Sweep_AppearsAsParentRunWithAChildRunPerTrial_SearchableAndReadOnly()
    {
        var model = "mlsweep-" + Guid.NewGuid().ToString("N")[..6];
        var sweepId = await RunSweepAsync(model);

        var experiment = (await _mlflow.OkGetAsync("experiments/get-by-name", ("experiment_name", "Sweeps"))).GetProperty("experiment");
        Assert.Equal(SweepsExperiment, experiment.GetProperty("experiment_id").GetString());
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
        var searched = await _mlflow.OkGetAsync("experiments/search", ("filter", "name = 'Sweeps'"), ("max_results", "10"));
        Assert.Equal(SweepsExperiment, Assert.Single(searched.GetProperty("experiments").EnumerateArray()).GetProperty("experiment_id").GetString());

        var runs = await SearchAsync($"tags.sweep_id = '{sweepId}'");
        Assert.Equal(3, runs.Count);
        var parent = Assert.Single(runs, r => Info(r, "run_id") == sweepId);
        Assert.Equal("FINISHED", Info(parent, "status"));
        Assert.Equal(SweepsExperiment, Info(parent, "experiment_id"));
        Assert.Equal(model, Data(parent, "params")["model_name"]);
        Assert.False(Data(parent, "tags").ContainsKey("mlflow.parentRunId"));
        var best = Metric(parent, "auc");

        var children = runs.Where(r => Info(r, "run_id") != sweepId).ToList();
        Assert.All(children, child =>
        {
            var tags = Data(child, "tags");
            Assert.Equal(sweepId, tags["mlflow.parentRunId"]);
            Assert.Equal(Info(child, "run_name"), tags["mlflow.runName"]);
            Assert.Equal("FINISHED", Info(child, "status"));
            Assert.True(child.GetProperty("info").GetProperty("end_time").GetInt64() >= child.GetProperty("info").GetProperty("start_time").GetInt64());
            Assert.Equal($"mlflow-artifacts:/{SweepsExperiment}/{Info(child, "run_id")}/artifacts", Info(child, "artifact_uri"));
            Assert.True(Metric(child, "auc") is > 0 and <= 1);
        });
        Assert.Equal(["lbfgs", "sdca"], children.Select(c => Data(c, "params")["algorithm"]).Order());
        Assert.Equal(best, children.Max(c => Metric(c, "auc")), 6);
        Assert.Equal("10", Data(children.Single(c => Data(c, "params")["algorithm"] == "sdca"), "params")["max_iterations"]);

        var lbfgs = Assert.Single(await SearchAsync($"params.algorithm = 'lbfgs' AND tags.mlflow.parentRunId = '{sweepId}'"));
        Assert.Equal(2, (await SearchAsync($"metrics.auc > 0 AND attributes.status = 'FINISHED' AND tags.mlflow.parentRunId = '{sweepId}'")).Count);
        Assert.Empty(await SearchAsync($"metrics.auc > 1 AND tags.sweep_id = '{sweepId}'"));

        var runId = Info(lbfgs, "run_id");
        var got = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run");
        Assert.Equal(lbfgs.ToString(), got.ToString());
        var history = Assert.Single((await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "auc"))).GetProperty("metrics").EnumerateArray());
        Assert.Equal(Metric(lbfgs, "auc"), history.GetProperty("value").GetDouble());

        var listed = await _mlflow.OkGetAsync("artifacts/list", ("run_id", runId));
        Assert.Equal(Info(lbfgs, "artifact_uri"), listed.GetProperty("root_uri").GetString());
        var files = listed.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f);
        Assert.Contains("model.onnx", files.Keys);
        Assert.DoesNotContain("spec.json", files.Keys);
        using var download = await _stack.Client.GetAsync($"2.0/mlflow-artifacts/artifacts/{SweepsExperiment}/{runId}/artifacts/model.onnx");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(files["model.onnx"].GetProperty("file_size").GetInt64(), (await download.Content.ReadAsByteArrayAsync()).LongLength);
        using var spec = await _stack.Client.GetAsync($"2.0/mlflow-artifacts/artifacts/{SweepsExperiment}/{runId}/artifacts/spec.json");
        Assert.Equal(HttpStatusCode.NotFound, spec.StatusCode);

        await AssertReadOnlyAsync(runId, sweepId);
        Assert.Equal(got.ToString(), (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").ToString());
        Assert.Equal(3, (await SearchAsync($"tags.sweep_id = '{sweepId}'")).Count);
    }

    [Fact]
    public async Task SweepRunId_ThatDoesNotExist_IsResourceDoesNotExist()
    {
        MlflowRest.AssertError(await _mlflow.GetAsync("runs/get", ("run_id", "sweep-20000101-000000-abcdef-t001")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-metric", new { run_id = "sweep-nothing", key = "a", value = 1, timestamp = 1 }),
            HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    private async Task AssertReadOnlyAsync(string runId, string sweepId)
    {
        var refusals = new (string Endpoint, object Body)[]
        {
            ("runs/log-metric", new { run_id = runId, key = "auc", value = 0.1, timestamp = 1, step = 0 }),
            ("runs/log-parameter", new { run_id = runId, key = "extra", value = "1" }),
            ("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = "renamed" }),
            ("runs/delete-tag", new { run_id = runId, key = "sweep_id" }),
            ("runs/log-batch", new { run_id = runId, metrics = new[] { new { key = "auc", value = 0.1, timestamp = 1, step = 0 } } }),
            ("runs/update", new { run_id = runId, status = "KILLED" }),
            ("runs/delete", new { run_id = runId }),
            ("runs/delete", new { run_id = sweepId }),
            ("runs/restore", new { run_id = sweepId }),
            ("runs/create", new { experiment_id = SweepsExperiment }),
            ("experiments/delete", new { experiment_id = SweepsExperiment }),
            ("experiments/update", new { experiment_id = SweepsExperiment, new_name = "mine" }),
            ("experiments/set-experiment-tag", new { experiment_id = SweepsExperiment, key = "k", value = "v" }),
        };
        foreach (var (endpoint, body) in refusals)
        {
            MlflowRest.AssertError(await _mlflow.PostAsync(endpoint, body), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "sweeps");
        }

        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/create", new { name = "Sweeps" }), HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", "sweeps");
        var upload = await _stack.Client.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{SweepsExperiment}/{runId}/artifacts/model.onnx", new ByteArrayContent([1, 2, 3]));
        MlflowRest.AssertError(upload, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "sweeps");
        var delete = await _stack.Client.SendAsync(HttpMethod.Delete, $"2.0/mlflow-artifacts/artifacts/{SweepsExperiment}/{runId}/artifacts/model.onnx");
        MlflowRest.AssertError(delete, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "sweeps");
    }

    private async Task<List<JsonElement>> SearchAsync(string filter)
    {
        var answer = await _mlflow.OkAsync("runs/search", new { experiment_ids = new[] { SweepsExperiment }, filter, max_results = 1000 });
        return answer.TryGetProperty("runs", out var runs) ? [.. runs.EnumerateArray()] : [];
    }

    private async Task<string> RunSweepAsync(string model)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "training");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{model}.csv").UploadAsync(BinaryData.FromString(ReferenceDatasets.ChurnCsv(600, seed: 5)), overwrite: true);
        var start = await _stack.Client.PostJsonAsync("orchestrations/training-sweeps", $$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"lbfgs"},{"name":"sdca","grid":{"max_iterations":[10]}}],
             "metric":"auc","max_parallel_trials":2,"model_name":"{{{model}}}","seed":7}
            """);
        Assert.True(start.Status == HttpStatusCode.Accepted, $"{start.Status}: {start.Body}");
        var id = start.Json.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var status = await _stack.Client.GetJsonAsync($"orchestrations/{id}");
            var runtime = status.Json.GetProperty("runtime_status").GetString();
            if (runtime is "Completed" or "Failed" or "Terminated")
            {
                Assert.True(runtime == "Completed", status.Json.ToString());
                return id;
            }

            Assert.True(DateTime.UtcNow < deadline, $"sweep {id} still {runtime}: {status.Json}");
            await Task.Delay(500);
        }
    }

    private static string Info(JsonElement run, string field) => run.GetProperty("info").GetProperty(field).GetString()!;

    private static Dictionary<string, string> Data(JsonElement run, string field) =>
        run.GetProperty("data").TryGetProperty(field, out var items)
            ? items.EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!, i => i.GetProperty("value").GetString()!)
            : [];

    private static double Metric(JsonElement run, string key) =>
        run.GetProperty("data").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == key).GetProperty("value").GetDouble();
}
