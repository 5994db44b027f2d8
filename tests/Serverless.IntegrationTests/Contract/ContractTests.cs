using System.Net;
using System.Text.Json;
using Serverless.Functions;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Catalog;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Contract;

/// <summary>
/// Pins a representative answer of every route, recorded from the runner over HTTP, in golden/*.json: status,
/// content type, headers and the JSON body with volatile fields masked (<see cref="Golden"/>), so an accidental rename
/// of a field, a changed status or a changed error code fails here. One scenario builds the state the routes need
/// (a model with a manifest, alias and baseline; traffic, feedback and a monitoring run; a batch scoring run; a
/// one-trial sweep) and checks each answer on the way. After an intended change to the contract, re-record:
/// <c>SERVERLESS_RECORD_GOLDEN=1 dotnet test tests/Serverless.IntegrationTests --filter FullyQualifiedName~Contract</c>,
/// then review the diff of golden/.
/// </summary>
public sealed partial class ContractTests : IClassFixture<ContractFixture>
{
    private const string Model = "contract";
    private const string SweepModel = "contract-sweep";

    private readonly ContractFixture _fixture;
    private readonly Golden _golden = new();

    public ContractTests(ContractFixture fixture)
    {
        _fixture = fixture;
        _golden.Replace(fixture.BlobEndpoint, "<blob>");
    }

    private HttpClient Client => _fixture.Client;

    [Fact]
    public async Task EveryRoute_AnswersAsItsGoldenFileSays()
    {
        await HealthAndDocumentAsync();
        await RegistryAsync();
        await ServingAsync();
        await FeatureStoreAsync();
        await MonitoringAsync();
        await BatchScoringAsync();
        await SweepAsync();
        await ConsoleAsync();
        await RetrainingAsync();
        await MlflowAsync();
        await MlflowRegistryAsync();

        var routes = FunctionCatalog.FromAssembly(typeof(FunctionAppServiceCollectionExtensions).Assembly).HttpRoutes().Select(r => r.FunctionName);
        var uncovered = routes.Where(f => !_golden.Names.Any(n => n == f || n.StartsWith(f + ".", StringComparison.Ordinal))).ToList();
        var stale = Directory.GetFiles(_golden.Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Where(n => !_golden.Names.Contains(n!)).ToList();
        Assert.True(uncovered.Count == 0, $"Routes without a golden answer (add one to this scenario): {string.Join(", ", uncovered)}");
        Assert.True(stale.Count == 0, $"Golden files no check reads (delete them): {string.Join(", ", stale)}");
        Assert.True(_golden.Failures.Count == 0, string.Join($"{Environment.NewLine}{Environment.NewLine}", _golden.Failures));
    }

    private async Task HealthAndDocumentAsync()
    {
        await _golden.GetAsync("ServerMetadata", Client, "v2");
        await _golden.GetAsync("ServerLive", Client, "v2/health/live");
        await _golden.GetAsync("ServerReady", Client, "v2/health/ready");
        await _golden.GetAsync("GetOpenApiDocument", Client, "openapi.json", GoldenMode.Verbatim);
    }

    private async Task RegistryAsync()
    {
        var model = ReferenceModels.LogisticRegression(features: 3);
        var manifest = ReferenceManifests.LogisticRegression(features: 3);
        await _golden.CheckAsync("RegisterModelVersion", Client, HttpMethod.Put, $"models/{Model}/versions/1?description=contract", Golden.Bytes(model));
        await _golden.CheckAsync("RegisterModelVersion.200", Client, HttpMethod.Put, $"models/{Model}/versions/1?description=contract", Golden.Bytes(model));
        await _golden.CheckAsync("RegisterModelVersion.400", Client, HttpMethod.Put, $"models/{Model}/versions/9", Golden.Bytes("not a model"u8.ToArray()));
        await _golden.CheckAsync("SetModelManifest", Client, HttpMethod.Put, $"models/{Model}/versions/1/manifest", Golden.Json(manifest));
        await _golden.CheckAsync("SetModelManifest.200", Client, HttpMethod.Put, $"models/{Model}/versions/1/manifest", Golden.Json(manifest));
        await _golden.GetAsync("GetModelManifest", Client, $"models/{Model}/versions/1/manifest");
        await _golden.CheckAsync("SetModelAlias", Client, HttpMethod.Put, $"models/{Model}/aliases/production", Golden.Json("""{"version": "1"}"""));
        await _golden.CheckAsync("SetModelAlias.412", Client, HttpMethod.Put, $"models/{Model}/aliases/production", Golden.Json("""{"version": "1"}"""),
            new Dictionary<string, string> { ["If-Match"] = "W/\"datetime'2001-01-01T00%3A00%3A00.0000000Z'\"" });
        await _golden.GetAsync("GetModelAlias", Client, $"models/{Model}/aliases/production");
        await _golden.GetAsync("GetModelAlias.404", Client, $"models/{Model}/aliases/staging");
        await _golden.CheckAsync("RollbackModelAlias.409", Client, HttpMethod.Post, $"models/{Model}/aliases/production/rollback", null);
        await _golden.GetAsync("GetModelAliasHistory.404", Client, $"models/{Model}/aliases/staging/history");
        await _golden.GetAsync("ListModels", Client, "models");
        await _golden.GetAsync("ListModelVersions", Client, $"models/{Model}/versions");
        await _golden.GetAsync("ListModelVersions.404", Client, "models/nobody/versions");
        await _golden.GetAsync("GetModelVersion.404", Client, $"models/{Model}/versions/9");
        await _golden.CheckAsync("DeleteModelVersion.409", Client, HttpMethod.Delete, $"models/{Model}/versions/1");

        var other = ReferenceModels.LogisticRegression(features: 3, seed: 2);
        Expect(HttpStatusCode.Created, await Client.PutAsync($"models/{Model}/versions/2", Golden.Bytes(other)));
        Expect(HttpStatusCode.OK, await Client.PutAsync($"models/{Model}/aliases/staging", Golden.Json("""{"version": "1", "reason": "first staging"}""")));
        Expect(HttpStatusCode.OK, await Client.PutAsync($"models/{Model}/aliases/staging", Golden.Json("""{"version": "2"}""")));
        await _golden.CheckAsync("RollbackModelAlias", Client, HttpMethod.Post, $"models/{Model}/aliases/staging/rollback", Golden.Json("""{"reason": "contract rollback"}"""));
        await _golden.CheckAsync("RollbackModelAlias.412", Client, HttpMethod.Post, $"models/{Model}/aliases/staging/rollback", null,
            new Dictionary<string, string> { ["If-Match"] = "W/\"datetime'2001-01-01T00%3A00%3A00.0000000Z'\"" });
        await _golden.GetAsync("GetModelAliasHistory", Client, $"models/{Model}/aliases/staging/history?limit=2");
        await _golden.CheckAsync("DeleteModelAlias", Client, HttpMethod.Delete, $"models/{Model}/aliases/staging");
        await _golden.CheckAsync("SetModelAlias.split", Client, HttpMethod.Put, $"models/{Model}/aliases/canary",
            Golden.Json("""{"traffic": {"2": 10, "1": 90}, "routing_key": "X-User-Id", "reason": "canary"}"""));
        await _golden.CheckAsync("SetModelAlias.split.400", Client, HttpMethod.Put, $"models/{Model}/aliases/canary", Golden.Json("""{"traffic": {"1": 90, "2": 20}}"""));
        await _golden.GetAsync("GetModelAlias.split", Client, $"models/{Model}/aliases/canary");
        Expect(HttpStatusCode.NoContent, await Client.DeleteAsync($"models/{Model}/aliases/canary"));
        await _golden.CheckAsync("SetModelAlias.mirror", Client, HttpMethod.Put, $"models/{Model}/aliases/shadow",
            Golden.Json("""{"version": "1", "mirror": {"version": "2", "percent": 25}, "reason": "shadow"}"""));
        await _golden.CheckAsync("SetModelAlias.mirror.400", Client, HttpMethod.Put, $"models/{Model}/aliases/shadow",
            Golden.Json("""{"traffic": {"1": 90, "2": 10}, "mirror": {"version": "2", "percent": 25}}"""));
        await _golden.GetAsync("GetModelAlias.mirror", Client, $"models/{Model}/aliases/shadow");
        await _golden.CheckAsync("DeleteModelVersion.mirror.409", Client, HttpMethod.Delete, $"models/{Model}/versions/2");
        Expect(HttpStatusCode.NoContent, await Client.DeleteAsync($"models/{Model}/aliases/shadow"));
        await RolloutAsync();
        await GraphAsync();
        await _golden.CheckAsync("DeleteModelVersion", Client, HttpMethod.Delete, $"models/{Model}/versions/2");
    }

    /// <summary>A rollout of version 2 on alias "rollout" (from version 1): started, refused, read, judged once (held: no traffic), aborted.</summary>
    private async Task RolloutAsync()
    {
        Expect(HttpStatusCode.OK, await Client.PutAsync($"models/{Model}/aliases/rollout", Golden.Json("""{"version": "1"}""")));
        const string plan = """{"version": "2", "steps": [10, 100], "min_step_minutes": 0, "min_step_requests": 1000, "guards": {"max_error_rate": 0.05, "max_p95_ms": 1000}, "reason": "contract rollout"}""";
        await _golden.CheckAsync("StartAliasRollout", Client, HttpMethod.Put, $"models/{Model}/aliases/rollout/rollout", Golden.Json(plan));
        await _golden.CheckAsync("StartAliasRollout.400", Client, HttpMethod.Put, $"models/{Model}/aliases/rollout/rollout", Golden.Json("""{"version": "2", "steps": [50, 40]}"""));
        await _golden.CheckAsync("StartAliasRollout.409", Client, HttpMethod.Put, $"models/{Model}/aliases/rollout/rollout", Golden.Json(plan));
        await _golden.GetAsync("GetModelAlias.rollout", Client, $"models/{Model}/aliases/rollout");
        await _golden.CheckAsync("RunRollouts", Client, HttpMethod.Post, "rollouts/runs", null, mode: GoldenMode.Shape);
        await _golden.CheckAsync("RunRollouts.400", Client, HttpMethod.Post, "rollouts/runs", Golden.Json("""{"model": "contract"}"""));
        await _golden.CheckAsync("AbortAliasRollout", Client, HttpMethod.Delete, $"models/{Model}/aliases/rollout/rollout");
        await _golden.CheckAsync("AbortAliasRollout.409", Client, HttpMethod.Delete, $"models/{Model}/aliases/rollout/rollout");
        Expect(HttpStatusCode.NoContent, await Client.DeleteAsync($"models/{Model}/aliases/rollout"));
    }

    /// <summary>An ensemble graph over version 1 (pinned) and the production alias: registered, read, served, refused, deleted.</summary>
    private async Task GraphAsync()
    {
        var spec = $$$"""
            {"description": "contract ensemble", "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3]}],
             "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "output": "probability",
                      "steps": [{"name": "pinned", "model": "{{{Model}}}@1"}, {"name": "live", "model": "{{{Model}}}:production"}]}}
            """;
        await _golden.CheckAsync("RegisterGraphVersion", Client, HttpMethod.Put, "graphs/contract-graph/versions/1", Golden.Json(spec));
        await _golden.CheckAsync("RegisterGraphVersion.200", Client, HttpMethod.Put, "graphs/contract-graph/versions/1", Golden.Json(spec));
        await _golden.CheckAsync("RegisterGraphVersion.400", Client, HttpMethod.Put, "graphs/contract-graph/versions/2",
            Golden.Json(spec.Replace("[-1, 3]", "[-1, 4]", StringComparison.Ordinal)));
        await _golden.GetAsync("GetGraphVersion", Client, "graphs/contract-graph/versions/1");
        await _golden.CheckAsync("Infer.graph", Client, HttpMethod.Post, "v2/models/contract-graph/infer",
            Golden.Json("""{"id": "graph-1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [0.5, 1, 2]}]}"""));
        await _golden.CheckAsync("Predict.graph", Client, HttpMethod.Post, "models/contract-graph/predict", Golden.Json("""{"instances": [{"f0": 0.5, "f1": 1, "f2": 2}]}"""),
            new Dictionary<string, string> { ["x-request-id"] = "graph-rows" });
        await _golden.CheckAsync("DeleteGraphVersion", Client, HttpMethod.Delete, "graphs/contract-graph/versions/1");
        await _golden.GetAsync("GetGraphVersion.404", Client, "graphs/contract-graph/versions/1");
    }

    /// <summary>A feature set declared, read, listed, written (JSON and CSV) and materialised from its history, and a model that takes two of its features served by entity key.</summary>
    private async Task FeatureStoreAsync()
    {
        const string set = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 315360000, "description": "contract"}""";
        await _golden.CheckAsync("RegisterFeatureSetVersion", Client, HttpMethod.Put, "feature-sets/contract-features/versions/1", Golden.Json(set));
        await _golden.CheckAsync("RegisterFeatureSetVersion.200", Client, HttpMethod.Put, "feature-sets/contract-features/versions/1", Golden.Json(set));
        await _golden.CheckAsync("RegisterFeatureSetVersion.409", Client, HttpMethod.Put, "feature-sets/contract-features/versions/1",
            Golden.Json(set.Replace("315360000", "60", StringComparison.Ordinal)));
        await _golden.CheckAsync("RegisterFeatureSetVersion.400", Client, HttpMethod.Put, "feature-sets/contract-features/versions/2", Golden.Json("""{"entity_keys": []}"""));
        await _golden.GetAsync("GetFeatureSetVersion", Client, "feature-sets/contract-features/versions/1");
        await _golden.GetAsync("GetFeatureSetVersion.404", Client, "feature-sets/contract-features/versions/9");
        await _golden.GetAsync("ListFeatureSetVersions", Client, "feature-sets/contract-features/versions");
        await _golden.CheckAsync("WriteFeatureRows", Client, HttpMethod.Post, "feature-sets/contract-features/versions/1/rows",
            Golden.Json("""{"rows": [{"customer_id": "c1", "event_time": "2026-01-01T00:00:00Z", "f1": 1, "f2": 2}, {"customer_id": "c2", "event_time": "2026-01-01T00:00:00Z", "f1": 0.5}]}"""));
        await _golden.CheckAsync("WriteFeatureRows.csv", Client, HttpMethod.Post, "feature-sets/contract-features/versions/1/rows",
            new StringContent("customer_id,event_time,f2\nc2,2026-01-02T00:00:00Z,-1\n", System.Text.Encoding.UTF8, "text/csv"));
        await _golden.CheckAsync("WriteFeatureRows.400", Client, HttpMethod.Post, "feature-sets/contract-features/versions/1/rows",
            Golden.Json("""{"rows": [{"customer_id": "c3", "event_time": "2026-01-01T00:00:00Z", "f1": "one"}]}"""));
        await _golden.CheckAsync("WriteFeatureRows.404", Client, HttpMethod.Post, "feature-sets/contract-features/versions/9/rows", Golden.Json("""{"rows": []}"""));
        var materialisation = await _golden.CheckAsync("StartFeatureMaterialisation", Client, HttpMethod.Post, "feature-sets/contract-features/versions/1/materialisations",
            Golden.Json("""{"to": "2026-12-31"}"""), idPlaceholder: "<materialisation_id>");
        await _golden.CheckAsync("StartFeatureMaterialisation.400", Client, HttpMethod.Post, "feature-sets/contract-features/versions/1/materialisations",
            Golden.Json("""{"blobs_per_chunk": 0}"""));
        await _golden.CheckAsync("StartFeatureMaterialisation.404", Client, HttpMethod.Post, "feature-sets/contract-features/versions/9/materialisations", Golden.Json("{}"));
        var materialisationId = await InstanceIdAsync(materialisation);
        await WaitAsync(materialisationId);
        await _golden.GetAsync("GetOrchestration.materialisation", Client, $"orchestrations/{materialisationId}");

        var manifest = System.Text.Json.Nodes.JsonNode.Parse(ReferenceManifests.LogisticRegression(features: 3))!.AsObject();
        manifest["feature_sets"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"name": "contract-features", "version": "1", "features": ["f1", "f2"]}]""");
        Expect(HttpStatusCode.Created, await Client.PutAsync("models/contract-joined/versions/1", Golden.Bytes(ReferenceModels.LogisticRegression(features: 3))));
        Expect(HttpStatusCode.Created, await Client.PutAsync("models/contract-joined/versions/1/manifest", Golden.Json(manifest.ToJsonString())));
        await _golden.CheckAsync("PredictVersion.features", Client, HttpMethod.Post, "models/contract-joined/versions/1/predict?feature_status=true",
            Golden.Json("""{"instances": [{"f0": 0.5, "customer_id": "c1"}, {"f0": 1.5, "customer_id": "c2", "f1": 3}]}"""),
            new Dictionary<string, string> { ["x-request-id"] = "contract-features" });
        await _golden.CheckAsync("PredictVersion.features.400", Client, HttpMethod.Post, "models/contract-joined/versions/1/predict",
            Golden.Json("""{"instances": [{"f0": 0.5, "customer_id": "nobody"}]}"""), new Dictionary<string, string> { ["x-request-id"] = "contract-features-bad" });
    }

    private async Task ServingAsync()
    {
        await _golden.GetAsync("ModelMetadata", Client, $"v2/models/{Model}");
        await _golden.GetAsync("ModelVersionMetadata", Client, $"v2/models/{Model}/versions/1");
        await _golden.GetAsync("ModelReady", Client, $"v2/models/{Model}/ready");
        await _golden.GetAsync("ModelVersionReady", Client, $"v2/models/{Model}/versions/1/ready");
        const string infer = """{"id": "contract-infer", "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "data": [[0.5, 1, 2], [1.5, 0, 2]]}]}""";
        await _golden.CheckAsync("Infer", Client, HttpMethod.Post, $"v2/models/{Model}/infer", Golden.Json(infer));
        await _golden.CheckAsync("InferVersion", Client, HttpMethod.Post, $"v2/models/{Model}/versions/1/infer", Golden.Json(infer.Replace("contract-infer", "contract-infer-v1")));
        await _golden.CheckAsync("Infer.400", Client, HttpMethod.Post, $"v2/models/{Model}/infer", Golden.Json("""{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 2], "data": [1]}]}"""),
            new Dictionary<string, string> { ["x-request-id"] = "contract-bad-infer" });
        var tensor = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new float[] { 0.5f, 1, 2, 1.5f, 0, 2 }.AsSpan()).ToArray();
        var (binary, binaryHeaders) = Golden.BinaryInfer(
            """{"id": "contract-binary", "parameters": {"binary_data_output": true}, "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "parameters": {"binary_data_size": 24}}]}""",
            tensor);
        await _golden.CheckAsync("Infer.binary", Client, HttpMethod.Post, $"v2/models/{Model}/infer", binary, binaryHeaders);
        var (binaryJsonOut, binaryJsonOutHeaders) = Golden.BinaryInfer(
            """{"id": "contract-binary-v1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "parameters": {"binary_data_size": 24}}]}""", tensor);
        await _golden.CheckAsync("InferVersion.binary", Client, HttpMethod.Post, $"v2/models/{Model}/versions/1/infer", binaryJsonOut, binaryJsonOutHeaders);
        var (lying, lyingHeaders) = Golden.BinaryInfer(
            """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "parameters": {"binary_data_size": 20}}]}""", tensor);
        lyingHeaders["x-request-id"] = "contract-bad-binary";
        await _golden.CheckAsync("Infer.binary.400", Client, HttpMethod.Post, $"v2/models/{Model}/infer", lying, lyingHeaders);
        const string rows = """{"instances": [{"f0": 0.5, "f1": 1, "f2": 2}, {"f0": 1.5, "f1": 0, "f2": 2}]}""";
        await _golden.CheckAsync("Predict", Client, HttpMethod.Post, $"models/{Model}/predict", Golden.Json(rows),
            new Dictionary<string, string> { ["x-request-id"] = "contract-rows" });
        await _golden.CheckAsync("PredictVersion", Client, HttpMethod.Post, $"models/{Model}/versions/1/predict",
            Golden.Json("""{"dataframe_split": {"columns": ["f0", "f1", "f2"], "data": [[0.5, 1, 2]]}}"""), new Dictionary<string, string> { ["x-request-id"] = "contract-split" });
        await _golden.CheckAsync("Predict.400", Client, HttpMethod.Post, $"models/{Model}/predict", Golden.Json("""{"instances": [{"f0": "x", "f1": 1, "f2": 2}]}"""),
            new Dictionary<string, string> { ["x-request-id"] = "contract-bad" });
        await _golden.GetAsync("GetModelVersion", Client, $"models/{Model}/versions/1");
    }

    private async Task MonitoringAsync()
    {
        var csv = "f0,f1,f2\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"{i % 7 * 0.5},{i % 3},{i % 5}")) + "\n";
        await _golden.CheckAsync("SetModelBaseline", Client, HttpMethod.Put, $"models/{Model}/versions/1/baseline", Golden.Bytes(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv"));
        await _golden.GetAsync("GetModelBaseline", Client, $"models/{Model}/versions/1/baseline");
        await _golden.GetAsync("GetLatestMonitoringReport.404", Client, $"models/{Model}/monitoring/reports/latest");

        // The inference log is written in the background: run until the window holds the logged rows (infer and predict: 7).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var run = await Client.PostAsync("monitoring/runs", Golden.Json($$"""{"model": "{{Model}}"}"""));
            using var body = JsonDocument.Parse(await run.Content.ReadAsStringAsync());
            Assert.True(run.StatusCode == HttpStatusCode.OK, body.RootElement.ToString());
            if (body.RootElement.GetProperty("reports").EnumerateArray().Any(r => r.GetProperty("rows").GetInt64() >= 7))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the logged rows never reached the monitor: {body.RootElement}");
            await Task.Delay(200);
        }

        // After the loop the logged rows are in storage, so the feedback's matches are known: two rows match, one id does not.
        await _golden.CheckAsync("PostFeedback", Client, HttpMethod.Post, $"models/{Model}/feedback",
            Golden.Json("""[{"id": "contract-rows", "actual": 1}, {"id": "contract-rows", "row": 1, "actual": 0}, {"id": "contract-unknown", "actual": 1}]"""));
        await _golden.CheckAsync("RunMonitoring", Client, HttpMethod.Post, "monitoring/runs", Golden.Json($$"""{"model": "{{Model}}"}"""), mode: GoldenMode.Shape);
        await _golden.CheckAsync("RunMonitoring.400", Client, HttpMethod.Post, "monitoring/runs", Golden.Json("""{"colour": "red"}"""));
        await _golden.CheckAsync("RunMonitoring.404", Client, HttpMethod.Post, "monitoring/runs", Golden.Json("""{"model": "nobody"}"""));
        await _golden.GetAsync("ListMonitoringReports", Client, $"models/{Model}/monitoring/reports", GoldenMode.Shape);
        await _golden.GetAsync("GetLatestMonitoringReport", Client, $"models/{Model}/monitoring/reports/latest", GoldenMode.Shape);
        await _golden.GetAsync("GetLatestMonitoringReportPage", Client, $"models/{Model}/monitoring/reports/latest.html");

        var report = (await Client.GetJsonAsync($"models/{Model}/monitoring/reports")).Json.GetProperty("reports")[0];
        var runId = report.GetProperty("run_id").GetString()!;
        _golden.Replace(runId, "<run_id>");
        var page = $"models/{Model}/versions/{report.GetProperty("version").GetString()}/monitoring/reports";
        await _golden.GetAsync("GetMonitoringReportPage", Client, $"{page}/{runId}");
        await _golden.GetAsync("GetMonitoringReportPage.404", Client, $"{page}/20000101-000000-abcdef");
        await _golden.GetAsync("GetMonitoringReportPage.400", Client, $"{page}/latest");
        await _golden.GetAsync("GetMonitoringReport", Client, $"{page}/{runId}/json", GoldenMode.Shape);
        await _golden.GetAsync("GetMonitoringReport.404", Client, $"{page}/20000101-000000-abcdef/json");
    }

    private async Task BatchScoringAsync()
    {
        await _fixture.UploadAsync("data", "contract/in.csv", "id,f0,f1,f2\n1,0.5,1,2\n2,1.5,0,2\n3,x,0,2\n");
        var start = await _golden.CheckAsync("StartBatchScoring", Client, HttpMethod.Post, "orchestrations/batch-scoring", Golden.Json("""
            {"input": "data/contract/in.csv", "model": "contract", "alias": "production", "output": "scores/contract-run", "id_column": "id", "merge": true}
            """), idPlaceholder: "<batch_id>");
        await _golden.CheckAsync("StartBatchScoring.400", Client, HttpMethod.Post, "orchestrations/batch-scoring",
            Golden.Json("""{"input": "models/x.csv", "model": "contract", "output": "scores/x"}"""));
        var id = await InstanceIdAsync(start);
        await WaitAsync(id);
        await _golden.GetAsync("GetOrchestration", Client, $"orchestrations/{id}");
        await _golden.GetAsync("GetOrchestration.404", Client, "orchestrations/no-such-instance");
        await _golden.GetAsync("GetBatchBadRows", Client, $"orchestrations/{id}/bad-rows");
        await _golden.GetAsync("GetBatchBadRows.400", Client, $"orchestrations/{id}/bad-rows?limit=0");
        await _golden.GetAsync("GetBatchBadRows.404", Client, "orchestrations/no-such-instance/bad-rows");
        await _golden.CheckAsync("TerminateOrchestration.409", Client, HttpMethod.Post, $"orchestrations/{id}/terminate");
        await _golden.CheckAsync("TerminateOrchestration.404", Client, HttpMethod.Post, "orchestrations/no-such-instance/terminate");
    }

    private async Task SweepAsync()
    {
        await _fixture.UploadAsync("training", "contract/churn.csv", ReferenceDatasets.ChurnCsv(300, seed: 3));
        var start = await _golden.CheckAsync("StartTrainingSweep", Client, HttpMethod.Post, "orchestrations/training-sweeps", Golden.Json($$$"""
            {"dataset": "training/contract/churn.csv", "target": "churned", "task": "binary", "exclude_columns": ["customer_id"],
             "algorithms": [{"name": "sdca", "grid": {"max_iterations": [5]}}], "metric": "auc", "model_name": "{{{SweepModel}}}", "seed": 7,
             "promotion": {"policy": "promote-if-better"}}
            """), idPlaceholder: "<sweep_id>");
        await _golden.CheckAsync("StartTrainingSweep.400", Client, HttpMethod.Post, "orchestrations/training-sweeps",
            Golden.Json("""{"dataset": "training/x.csv", "target": "y", "task": "binary", "algorithms": [{"name": "xgboost"}], "metric": "auc", "model_name": "m"}"""));
        var id = await InstanceIdAsync(start);
        await WaitAsync(id);
        await _golden.GetAsync("GetOrchestration.sweep", Client, $"orchestrations/{id}");
        await _golden.GetAsync("ListSweeps", Client, "sweeps");
        await _golden.GetAsync("GetSweep", Client, $"sweeps/{id}");
        await _golden.GetAsync("GetSweep.404", Client, "sweeps/no-such-sweep");
    }

    /// <summary>The console's page and a file of it, and the workflow list it reads (after the batch scoring run and the sweep).</summary>
    private async Task ConsoleAsync()
    {
        await _golden.GetAsync("GetConsolePage", Client, "console");
        await _golden.GetAsync("GetConsoleAsset", Client, "console/console.js");
        await _golden.GetAsync("GetConsoleAsset.404", Client, "console/nothing.js");
        await _golden.GetAsync("ListOrchestrations", Client, "orchestrations?limit=5", GoldenMode.Shape);
        await _golden.GetAsync("ListOrchestrations.400", Client, "orchestrations?name=RunTrial");
    }

    /// <summary>
    /// A retraining policy declared (created, replaced, refused), read; runs listed (none: the policy's only trigger is decay, so a
    /// run on request is refused) and the run routes' refusals. No run starts, so no orchestration outlives the scenario.
    /// </summary>
    private async Task RetrainingAsync()
    {
        const string policy = """
            {"triggers": ["decay"], "alias": "production", "data": {"source": "traffic", "window_hours": 24, "max_traffic_rows": 1000},
             "sweep": {"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}]},
             "rollout": {"shadow_percent": 50, "shadow_minutes": 10, "steps": [25, 100], "min_step_minutes": 5, "min_step_requests": 50, "guards": {"max_error_rate": 0.05}},
             "judge": {"margin": 0.01, "min_labelled_rows": 50, "max_wait_minutes": 120},
             "guardrails": {"max_runs_per_day": 1, "min_labelled_rows": 100, "cooldown_minutes": 60, "approval_required": true}}
            """;
        await _golden.GetAsync("GetRetrainingPolicy.404", Client, $"models/{Model}/retraining");
        await _golden.CheckAsync("StartRetrainingRun.404", Client, HttpMethod.Post, $"models/{Model}/retraining/runs", null);
        await _golden.CheckAsync("SetRetrainingPolicy", Client, HttpMethod.Put, $"models/{Model}/retraining", Golden.Json(policy));
        await _golden.CheckAsync("SetRetrainingPolicy.200", Client, HttpMethod.Put, $"models/{Model}/retraining", Golden.Json(policy));
        await _golden.CheckAsync("SetRetrainingPolicy.400", Client, HttpMethod.Put, $"models/{Model}/retraining",
            Golden.Json(policy.Replace("[25, 100]", "[25, 90]", StringComparison.Ordinal)));
        await _golden.CheckAsync("SetRetrainingPolicy.412", Client, HttpMethod.Put, $"models/{Model}/retraining", Golden.Json(policy),
            new Dictionary<string, string> { ["If-Match"] = "W/\"datetime'2001-01-01T00%3A00%3A00.0000000Z'\"" });
        await _golden.GetAsync("GetRetrainingPolicy", Client, $"models/{Model}/retraining");
        await _golden.CheckAsync("StartRetrainingRun.409", Client, HttpMethod.Post, $"models/{Model}/retraining/runs", Golden.Json("""{"reason": "contract"}"""));
        await _golden.GetAsync("ListRetrainingRuns", Client, $"models/{Model}/retraining/runs");
        await _golden.GetAsync("GetRetrainingRun.404", Client, $"models/{Model}/retraining/runs/rt-20260101-000000-abcdef");
        await _golden.GetAsync("GetRetrainingRun.400", Client, $"models/{Model}/retraining/runs/latest");
        await _golden.CheckAsync("ApproveRetrainingRun.404", Client, HttpMethod.Post, $"models/{Model}/retraining/rt-20260101-000000-abcdef/approve", null);
        await _golden.CheckAsync("RejectRetrainingRun.404", Client, HttpMethod.Post, $"models/{Model}/retraining/rt-20260101-000000-abcdef/reject",
            Golden.Json("""{"reason": "contract"}"""));
    }

    private static async Task<string> InstanceIdAsync(HttpResponseMessage start)
    {
        var text = await start.Content.ReadAsStringAsync();
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, text);
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private async Task WaitAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var status = (await Client.GetJsonAsync($"orchestrations/{instanceId}")).Json;
            var runtime = status.GetProperty("runtime_status").GetString();
            if (runtime == "Completed")
            {
                return;
            }

            Assert.True(runtime is "Running" or "Pending" && DateTime.UtcNow < deadline, status.ToString());
            await Task.Delay(250);
        }
    }

    private static void Expect(HttpStatusCode expected, HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}");
        }
    }
}
