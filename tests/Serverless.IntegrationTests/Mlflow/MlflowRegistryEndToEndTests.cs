using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>
/// A training script's whole life through MLflow's REST API, made with plain HTTP calls in the order MLflow's Python client makes them
/// (set_experiment, start_run, log_params, log_metric, onnx.log_model through the proxied artifact API, end_run, register_model,
/// set_registered_model_alias), after which the app serves the model through the Open Inference Protocol and the records API.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MlflowRegistryEndToEndTests
{
    private readonly HttpClient _client;
    private readonly MlflowRest _mlflow;

    public MlflowRegistryEndToEndTests(StackFixture stack)
    {
        _client = stack.Client;
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task ScriptLogsARunWithAnOnnxModel_RegistersItAsProduction_AndTheAppServesItThroughOipAndPredict()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var experimentName = "fraud-training-" + suffix;
        var modelName = "fraud-mlflow-" + suffix;

        // mlflow.set_experiment(name): get-by-name, then create when it does not exist.
        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/get-by-name", ("experiment_name", experimentName)), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var experimentId = await _mlflow.CreateExperimentAsync(experimentName);

        // mlflow.start_run()
        var run = (await _mlflow.OkAsync("runs/create", new
        {
            experiment_id = experimentId,
            user_id = "data-scientist",
            start_time = 1_700_000_000_000L,
            tags = new[] { new { key = "mlflow.source.name", value = "train.py" }, new { key = "mlflow.user", value = "data-scientist" } },
        })).GetProperty("run").GetProperty("info");
        var runId = run.GetProperty("run_id").GetString()!;
        var artifactUri = run.GetProperty("artifact_uri").GetString()!;

        // mlflow.log_params({...}) is one log-batch; mlflow.log_metric("loss", v, step=i) one call per value.
        await _mlflow.OkAsync("runs/log-batch", new
        {
            run_id = runId,
            @params = new[] { new { key = "learning_rate", value = "0.04" }, new { key = "epochs", value = "3" } },
        });
        double[] losses = [0.69, 0.52, 0.41];
        for (var step = 0; step < losses.Length; step++)
        {
            await _mlflow.OkAsync("runs/log-metric", new { run_id = runId, key = "loss", value = losses[step], timestamp = 1_700_000_000_000L + step, step });
        }

        // mlflow.onnx.log_model(model, "model"): the model directory, each file PUT through the proxied artifact API. The manifest.json beside
        // it (the app's tabular manifest) lets the records API read rows.
        await MlflowModelDirectory.UploadAsync(_client, MlflowModelDirectory.Root(artifactUri), "model",
            MlflowModelDirectory.File("MLmodel", MlflowModelDirectory.OnnxMlmodel(runId)),
            MlflowModelDirectory.File("conda.yaml", "dependencies:\n- python=3.11\n- pip:\n  - mlflow\n  - onnx\n"),
            ("model.onnx", ReferenceModels.PerFeatureBinaryClassifier()),
            MlflowModelDirectory.File("manifest.json", ReferenceManifests.PerFeatureBinary()));
        var listed = await _mlflow.OkGetAsync("artifacts/list", ("run_id", runId), ("path", "model"));
        Assert.Equal(["model/MLmodel", "model/conda.yaml", "model/manifest.json", "model/model.onnx"],
            listed.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal));

        // mlflow.end_run()
        await _mlflow.OkAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_060_000L });

        // mlflow.register_model(f"runs:/{run_id}/model", name): create the registered model, then the version, then wait for READY.
        await _mlflow.OkAsync("registered-models/create", new { name = modelName });
        var created = (await _mlflow.OkAsync("model-versions/create", new { name = modelName, source = $"runs:/{runId}/model", run_id = runId }))
            .GetProperty("model_version");
        var version = created.GetProperty("version").GetString()!;
        Assert.Equal("1", version);
        var ready = (await _mlflow.OkGetAsync("model-versions/get", ("name", modelName), ("version", version))).GetProperty("model_version");
        Assert.Equal("READY", ready.GetProperty("status").GetString());

        // MlflowClient().set_registered_model_alias(name, "production", version)
        await _mlflow.OkAsync("registered-models/alias", new { name = modelName, alias = "production", version });
        Assert.Equal(version, (await _mlflow.OkGetAsync("registered-models/alias", ("name", modelName), ("alias", "production")))
            .GetProperty("model_version").GetProperty("version").GetString());

        // The run keeps its whole metric history and params.
        var history = await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "loss"));
        Assert.Equal(losses, history.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
        var finished = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run");
        Assert.Equal("FINISHED", finished.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal(2, finished.GetProperty("data").GetProperty("params").GetArrayLength());

        // Served: the unversioned routes follow the production alias, through OIP and the records API.
        (double Age, string City)[] rows = [(50, "Trondheim"), (20, "Oslo")];
        var expected = rows.Select(r => Probability(r.Age, r.City)).ToArray();
        var infer = await _client.PostJsonAsync($"v2/models/{modelName}/infer", JsonSerializer.Serialize(new
        {
            inputs = new object[]
            {
                new { name = "age", datatype = "FP32", shape = new[] { rows.Length, 1 }, data = rows.Select(r => r.Age).ToArray() },
                new { name = "city", datatype = "BYTES", shape = new[] { rows.Length, 1 }, data = rows.Select(r => r.City).ToArray() },
            },
            outputs = new[] { new { name = "probability" } },
        }));
        Assert.True(infer.Status == HttpStatusCode.OK, infer.Response.ReasonPhrase + " " + infer.Json);
        Assert.Equal(version, infer.Json.GetProperty("model_version").GetString());
        var probability = Assert.Single(infer.Json.GetProperty("outputs").EnumerateArray());
        AssertClose(expected, Flatten(probability.GetProperty("data")));

        var predict = await _client.PostJsonAsync($"models/{modelName}/predict", JsonSerializer.Serialize(new
        {
            dataframe_records = rows.Select(r => new { age = r.Age, city = r.City }).ToArray(),
        }));
        Assert.True(predict.Status == HttpStatusCode.OK, predict.Response.ReasonPhrase + " " + predict.Json);
        Assert.Equal(version, predict.Json.GetProperty("model_version").GetString());
        var predictions = predict.Json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(expected.Select(p => p >= 0.5 ? "yes" : "no"), predictions.Select(p => p.GetProperty("label").GetString()));
        AssertClose(expected, predictions.Select(p => p.GetProperty("scores")[1].GetDouble()).ToList());

        // The alias MLflow set is the app's: its history records the move.
        var moves = (await _client.GetJsonAsync($"models/{modelName}/aliases/production/history")).Json.GetProperty("moves");
        Assert.Equal(version, Assert.Single(moves.EnumerateArray()).GetProperty("to_version").GetString());
    }

    /// <summary>PerFeatureBinaryClassifier's formula: Sigmoid(0.04·age + 0.9·code(city) − 2.5).</summary>
    private static double Probability(double age, string city) =>
        1 / (1 + Math.Exp(-((0.04 * age) + (0.9 * ReferenceModels.Cities.ToList().IndexOf(city)) - 2.5)));

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"row {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static List<double> Flatten(JsonElement data) => data.ValueKind == JsonValueKind.Array
        ? [.. data.EnumerateArray().SelectMany(Flatten)]
        : [data.GetDouble()];
}
