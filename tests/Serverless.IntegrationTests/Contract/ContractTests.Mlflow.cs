using System.Net;
using System.Text.Json;

namespace Serverless.IntegrationTests.Contract;

public sealed partial class ContractTests
{
    /// <summary>MLflow's REST API: an experiment and a run through every tracking and artifact route, with its errors in MLflow's shape.</summary>
    private async Task MlflowAsync()
    {
        const string api = "2.0/mlflow/";
        await _golden.CheckAsync("MlflowCreateExperiment", Client, HttpMethod.Post, api + "experiments/create",
            Golden.Json("""{"name": "contract-mlflow", "tags": [{"key": "team", "value": "contract"}]}"""));
        await _golden.CheckAsync("MlflowCreateExperiment.400", Client, HttpMethod.Post, api + "experiments/create", Golden.Json("""{"name": "contract-mlflow"}"""));
        await _golden.GetAsync("MlflowGetExperiment", Client, api + "experiments/get?experiment_id=1");
        await _golden.GetAsync("MlflowGetExperiment.404", Client, api + "experiments/get?experiment_id=99");
        await _golden.GetAsync("MlflowGetExperimentByName", Client, api + "experiments/get-by-name?experiment_name=contract-mlflow");
        await _golden.CheckAsync("MlflowSetExperimentTag", Client, HttpMethod.Post, api + "experiments/set-experiment-tag",
            Golden.Json("""{"experiment_id": "1", "key": "stage", "value": "dev"}"""));
        await _golden.CheckAsync("MlflowSearchExperiments", Client, HttpMethod.Post, api + "experiments/search",
            Golden.Json("""{"filter": "name LIKE 'contract%'", "order_by": ["name"], "max_results": 1}"""));
        await _golden.CheckAsync("MlflowSearchExperiments.400", Client, HttpMethod.Post, api + "experiments/search", Golden.Json("""{"filter": "name = 'a' OR name = 'b'"}"""));

        var created = await _golden.CheckAsync("MlflowCreateRun", Client, HttpMethod.Post, api + "runs/create",
            Golden.Json("""{"experiment_id": "1", "run_name": "contract-run", "user_id": "contract", "start_time": 1700000000000, "tags": [{"key": "t", "value": "v"}]}"""),
            idPlaceholder: "<run_id>", idPath: ["run", "info", "run_id"]);
        string id;
        using (var run = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            id = run.RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        }

        await _golden.CheckAsync("MlflowLogMetric", Client, HttpMethod.Post, api + "runs/log-metric",
            Golden.Json($$"""{"run_id": "{{id}}", "key": "loss", "value": 0.5, "timestamp": 1700000000001, "step": 1}"""));
        await _golden.CheckAsync("MlflowLogParameter", Client, HttpMethod.Post, api + "runs/log-parameter", Golden.Json($$"""{"run_id": "{{id}}", "key": "alpha", "value": "0.1"}"""));
        await _golden.CheckAsync("MlflowLogParameter.400", Client, HttpMethod.Post, api + "runs/log-parameter", Golden.Json($$"""{"run_id": "{{id}}", "key": "alpha", "value": "0.2"}"""));
        await _golden.CheckAsync("MlflowSetTag", Client, HttpMethod.Post, api + "runs/set-tag", Golden.Json($$"""{"run_id": "{{id}}", "key": "note", "value": "x"}"""));
        await _golden.CheckAsync("MlflowDeleteTag", Client, HttpMethod.Post, api + "runs/delete-tag", Golden.Json($$"""{"run_id": "{{id}}", "key": "note"}"""));
        await _golden.CheckAsync("MlflowDeleteTag.404", Client, HttpMethod.Post, api + "runs/delete-tag", Golden.Json($$"""{"run_id": "{{id}}", "key": "note"}"""));
        await _golden.CheckAsync("MlflowLogBatch", Client, HttpMethod.Post, api + "runs/log-batch", Golden.Json($$"""
            {"run_id": "{{id}}", "metrics": [{"key": "loss", "value": 0.25, "timestamp": 1700000000002, "step": 2}],
             "params": [{"key": "depth", "value": "3"}], "tags": [{"key": "phase", "value": "train"}]}
            """));
        await _golden.CheckAsync("MlflowLogBatch.400", Client, HttpMethod.Post, api + "runs/log-batch",
            Golden.Json($$"""{"run_id": "{{id}}", "params": [{{string.Join(", ", Enumerable.Range(0, 101).Select(i => $$"""{"key": "p{{i}}", "value": "v"}"""))}}]}"""));
        await _golden.GetAsync("MlflowGetMetricHistory", Client, api + $"metrics/get-history?run_id={id}&metric_key=loss&max_results=1");
        await _golden.GetAsync("MlflowGetRun", Client, api + $"runs/get?run_id={id}");
        await _golden.GetAsync("MlflowGetRun.404", Client, api + "runs/get?run_id=0123456789abcdef0123456789abcdef");
        await _golden.CheckAsync("MlflowUpdateRun", Client, HttpMethod.Post, api + "runs/update",
            Golden.Json($$"""{"run_id": "{{id}}", "status": "FINISHED", "end_time": 1700000100000}"""));
        await _golden.CheckAsync("MlflowSearchRuns", Client, HttpMethod.Post, api + "runs/search",
            Golden.Json("""{"experiment_ids": ["1"], "filter": "metrics.loss < 1 AND params.depth = '3'", "order_by": ["metrics.loss DESC"]}"""));
        await _golden.CheckAsync("MlflowSearchRuns.400", Client, HttpMethod.Post, api + "runs/search", Golden.Json("""{"experiment_ids": ["1"], "filter": "metrics.loss < 'x'"}"""));

        var artifacts = $"2.0/mlflow-artifacts/artifacts/1/{id}/artifacts";
        await _golden.CheckAsync("MlflowUploadArtifact", Client, HttpMethod.Put, artifacts + "/model/model.onnx", Golden.Bytes("onnx bytes"u8.ToArray()));
        await _golden.CheckAsync("MlflowUploadArtifact.400", Client, HttpMethod.Put, "2.0/mlflow-artifacts/artifacts/elsewhere/x", Golden.Bytes([1]));
        await _golden.GetAsync("MlflowDownloadArtifact", Client, artifacts + "/model/model.onnx");
        await _golden.GetAsync("MlflowDownloadArtifact.404", Client, artifacts + "/model/none.onnx");
        await _golden.GetAsync("MlflowListProxiedArtifacts", Client, $"2.0/mlflow-artifacts/artifacts?path=1/{id}/artifacts");
        await _golden.GetAsync("MlflowListArtifacts", Client, api + $"artifacts/list?run_id={id}&path=model");
        await _golden.CheckAsync("MlflowDeleteArtifact", Client, HttpMethod.Delete, artifacts + "/model/model.onnx");

        await _golden.CheckAsync("MlflowDeleteRun", Client, HttpMethod.Post, api + "runs/delete", Golden.Json($$"""{"run_id": "{{id}}"}"""));
        await _golden.CheckAsync("MlflowRestoreRun", Client, HttpMethod.Post, api + "runs/restore", Golden.Json($$"""{"run_id": "{{id}}"}"""));
        await _golden.CheckAsync("MlflowUpdateExperiment", Client, HttpMethod.Post, api + "experiments/update", Golden.Json("""{"experiment_id": "1", "new_name": "contract-mlflow-2"}"""));
        await _golden.CheckAsync("MlflowDeleteExperiment", Client, HttpMethod.Post, api + "experiments/delete", Golden.Json("""{"experiment_id": "1"}"""));
        await _golden.CheckAsync("MlflowRestoreExperiment", Client, HttpMethod.Post, api + "experiments/restore", Golden.Json("""{"experiment_id": "1"}"""));
        await _golden.CheckAsync("MlflowRestoreExperiment.400", Client, HttpMethod.Post, api + "experiments/restore", Golden.Json("""{"experiment_id": "1"}"""));
        await _golden.GetAsync("MlflowSearchExperimentsGet", Client, api + "experiments/search?filter=name%20LIKE%20%27contract%25%27&order_by=name&max_results=1");
        await _golden.GetAsync("MlflowEndpointNotFoundGet", Client, api + "runs/nothing");
        await _golden.CheckAsync("MlflowEndpointNotFoundPost", Client, HttpMethod.Post, api + "logged-models/search", Golden.Json("{}"));
        await _golden.CheckAsync("MlflowEndpointNotFoundPatch", Client, HttpMethod.Patch, api + "experiments/nothing", Golden.Json("{}"));
        await _golden.CheckAsync("MlflowEndpointNotFoundDelete", Client, HttpMethod.Delete, api + "runs/delete");
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync(api + "experiments/get?experiment_id=1")).StatusCode);
    }
}
