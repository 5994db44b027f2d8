using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Core.Training;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Training sweeps through the local runner on Azurite, trials run by the built-in trainer as child processes:
/// a sweep on a generated churn dataset registers and promotes a model that finds the signal, a worse sweep
/// registers without promoting, the tracking API shows both, and the promoted model serves ML.NET's predictions.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TrainingSweepEndToEndTests
{
    private const int Rows = 3_000;

    private readonly StackFixture _stack;

    public TrainingSweepEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Sweeps_BetterModelIsPromotedWorseIsNot_AndThePromotedModelServesMlNetsPredictions()
    {
        var model = "churn-" + Guid.NewGuid().ToString("N")[..6];
        await UploadAsync("training", $"{model}.csv", ReferenceDatasets.ChurnCsv(Rows, seed: 3));

        var good = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"lightgbm","grid":{"num_leaves":[8,16],"num_iterations":[50]}},{"name":"lbfgs"}],
             "metric":"auc","max_parallel_trials":2,"model_name":"{{{model}}}","seed":7,
             "promotion":{"policy":"promote-if-better","margin":0.0}}
            """);
        Assert.True(good.GetProperty("runtime_status").GetString() == "Completed", good.ToString());
        var output = good.GetProperty("output");
        Assert.Equal("1", output.GetProperty("registered_version").GetString());
        Assert.True(output.GetProperty("promoted").GetBoolean(), output.ToString());
        var bestAuc = output.GetProperty("best_value").GetDouble();
        var oracleAuc = await OracleAucAsync(good.GetProperty("instance_id").GetString()!);
        Assert.True(bestAuc >= oracleAuc - 0.03, $"validation AUC {bestAuc}, the generator's own probabilities reach {oracleAuc}");
        Assert.Equal(bestAuc, output.GetProperty("served_value").GetDouble(), 4);
        Assert.Equal(3, output.GetProperty("leaderboard").GetArrayLength());

        var weak = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary",
             "features":[{"name":"noise","type":"numeric"}],
             "algorithms":[{"name":"sdca","grid":{"max_iterations":[5]}}],
             "metric":"auc","model_name":"{{{model}}}","seed":7,
             "promotion":{"policy":"promote-if-better","margin":0.01}}
            """);
        Assert.True(weak.GetProperty("runtime_status").GetString() == "Completed", weak.ToString());
        var weakOutput = weak.GetProperty("output");
        Assert.Equal("2", weakOutput.GetProperty("registered_version").GetString());
        Assert.False(weakOutput.GetProperty("promoted").GetBoolean(), weakOutput.ToString());
        Assert.Contains("does not beat version 1", weakOutput.GetProperty("promotion_reason").GetString());

        var baseline = await Client.GetJsonAsync($"models/{model}/versions/1/baseline");
        Assert.Equal(HttpStatusCode.OK, baseline.Status);
        Assert.Equal(["tenure", "charges", "contract", "noise"], baseline.Json.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.True(baseline.Json.GetProperty("features")[1].GetProperty("missing").GetInt64() > 0);
        Assert.Equal(3, baseline.Json.GetProperty("features")[2].GetProperty("categories").EnumerateObject().Count());

        var alias = await Client.GetJsonAsync($"models/{model}/aliases/production");
        Assert.Equal("1", alias.Json.GetProperty("version").GetString());

        var sweepId = good.GetProperty("instance_id").GetString()!;
        var promotion = Assert.Single((await Client.GetJsonAsync($"models/{model}/aliases/production/history")).Json.GetProperty("moves").EnumerateArray());
        Assert.Equal(("set", $"sweep {sweepId}", "1"), (promotion.GetProperty("kind").GetString(), promotion.GetProperty("by").GetString(), promotion.GetProperty("to_version").GetString()));
        Assert.Contains("takes it", promotion.GetProperty("reason").GetString());
        var tracked = await Client.GetJsonAsync($"sweeps/{sweepId}");
        Assert.Equal(HttpStatusCode.OK, tracked.Status);
        Assert.Equal("completed", tracked.Json.GetProperty("sweep").GetProperty("status").GetString());
        Assert.Equal(64, tracked.Json.GetProperty("sweep").GetProperty("data_fingerprint").GetString()!.Length);
        Assert.Equal(3, tracked.Json.GetProperty("trials").GetArrayLength());
        Assert.All(tracked.Json.GetProperty("trials").EnumerateArray(), t => Assert.Equal("succeeded", t.GetProperty("status").GetString()));
        Assert.Equal(output.GetProperty("best_trial_id").GetString(), tracked.Json.GetProperty("leaderboard")[0].GetProperty("trial_id").GetString());
        var list = await Client.GetJsonAsync("sweeps");
        Assert.Contains(list.Json.GetProperty("sweeps").EnumerateArray(), s => s.GetProperty("sweep_id").GetString() == sweepId);

        await AssertServesMlNetPredictionsAsync(model, sweepId, output.GetProperty("best_trial_id").GetString()!);
    }

    [Fact]
    public async Task Sweep_EveryTrialFails_FailsWithTheTrialsPlainReasonAndTracksIt()
    {
        var model = "broken-" + Guid.NewGuid().ToString("N")[..6];
        // The trainer refuses a feature named like a column of the model it builds; the sweep only finds out in the trials.
        await UploadAsync("training", $"{model}.csv", "id,Score,churned\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"{i},{i % 7},{i % 2}\n")));

        var status = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["id"],
             "algorithms":[{"name":"sdca"},{"name":"lbfgs"}],"metric":"auc","model_name":"{{{model}}}"}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Failed", status.ToString());
        var error = status.GetProperty("error").GetString()!;
        Assert.StartsWith("All 2 trial(s) failed; the first: Feature 'Score' has a name the model's own columns use (", error);
        Assert.EndsWith("); rename the column.", error);
        WorkflowErrors.AssertPlain(error);
        var tracked = await Client.GetJsonAsync($"sweeps/{status.GetProperty("instance_id").GetString()}");
        Assert.Equal("failed", tracked.Json.GetProperty("sweep").GetProperty("status").GetString());
        Assert.Equal(error, tracked.Json.GetProperty("sweep").GetProperty("error").GetString());
        Assert.All(tracked.Json.GetProperty("trials").EnumerateArray(), t => WorkflowErrors.AssertPlain(t.GetProperty("error").GetString()!));
    }

    [Theory]
    [InlineData("binary", "auc", "holds 3 distinct values")]
    [InlineData("regression", "rmse", "is not a finite number in data row 3")]
    [InlineData("multiclass", "accuracy", "Feature 'x' is numeric, but data row 2 holds a value that is not a number")]
    public async Task Sweep_DatasetProblem_FailsNamingRowAndColumnWithoutQuotingCells(string task, string metric, string expected)
    {
        var model = "secret-" + Guid.NewGuid().ToString("N")[..6];
        var x = task == "multiclass" ? "SECRET-x-cell" : "2";
        await UploadAsync("training", $"{model}.csv", $"id,x,y\n1,1,0\n2,{x},1\n3,3,SECRET-y-cell\n4,4,0\n5,5,1\n6,6,0\n");

        var status = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"y","task":"{{{task}}}","features":[{"name":"x","type":"numeric"}],
             "algorithms":[{"name":"sdca"}],"metric":"{{{metric}}}","model_name":"{{{model}}}"}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Failed", status.ToString());
        Assert.Contains(expected, status.GetProperty("error").GetString());
        WorkflowErrors.AssertPlain(status.GetProperty("error").GetString()!);
        var tracked = await Client.GetJsonAsync($"sweeps/{status.GetProperty("instance_id").GetString()}");
        Assert.DoesNotContain("SECRET", status.ToString());
        Assert.DoesNotContain("SECRET", tracked.Json.GetProperty("sweep").ToString());
    }

    [Theory]
    [InlineData("""{"dataset":"training/none.csv","target":"y","task":"binary","algorithms":[{"name":"lightgbm"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "'dataset' names blob 'training/none.csv', which does not exist.")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"binary","algorithms":[{"name":"xgboost"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "xgboost")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"regression","algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "does not apply")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"binary","algorithms":[],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "algorithms")]
    [InlineData("""{"target":"y","task":"binary","algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "dataset")]
    [InlineData("""{"dataset":"models/x.csv","target":"y","task":"binary","algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "'dataset' names container 'models', which is not a data container")]
    [InlineData("""{"dataset":"azure-webjobs-secrets/host.json","target":"y","task":"binary","algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "not a data container")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"binary","algorithms":[{"name":"fasttree","grid":{"num_trees":[2147483648]}}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "fasttree hyperparameter 'num_trees' must be a whole number from 1 to 10000")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"binary","algorithms":[{"name":"lightgbm","grid":{"no_such_parameter":[1]}}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "lightgbm has no hyperparameter 'no_such_parameter'")]
    [InlineData("""{"dataset":"training/x.csv","target":"y","task":"binary","trial_timeout_minutes":100000,"algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"m"}""", HttpStatusCode.BadRequest, "Training:MaxTrialTimeoutMinutes")]
    public async Task StartSweep_BadRequest_AnswersWithoutStarting(string body, HttpStatusCode expected, string mentions)
    {
        var answer = await Client.PostJsonAsync("orchestrations/training-sweeps", body);

        Assert.Equal(expected, answer.Status);
        Assert.Contains(mentions, answer.Error);
    }

    [Fact]
    public async Task GetSweep_Unknown_Returns404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("sweeps/sweep-nope")).Status);
    }

    /// <summary>
    /// The promoted version's /predict answers equal ML.NET's own predictions on every validation row (written by the
    /// trainer), rows with missing values (sent as null) included.
    /// </summary>
    private async Task AssertServesMlNetPredictionsAsync(string model, string sweepId, string trialId)
    {
        var sweeps = new BlobContainerClient(_stack.ConnectionString, "sweeps");
        var validation = (await sweeps.GetBlobClient($"{sweepId}/data/validation.csv").DownloadContentAsync()).Value.Content.ToString();
        var expected = (await sweeps.GetBlobClient($"{sweepId}/trials/{trialId}/{TrialOutputs.ValidationPredictions}").DownloadContentAsync()).Value.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToList();
        var lines = validation.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var instances = lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            return "{" + string.Join(",", header.Select((h, i) => (h, i)).Where(x => x.h is not ("churned" or "customer_id"))
                .Select(x => $"\"{x.h}\":{Json(cells[x.i])}")) + "}";
        }).ToList();
        Assert.Equal(expected.Count, instances.Count);
        Assert.Contains(instances, i => i.Contains(":null", StringComparison.Ordinal));

        var answer = await Client.PostJsonAsync($"models/{model}/predict", $$"""{"instances":[{{string.Join(",", instances)}}]}""");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var predictions = answer.Json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal("1", answer.Json.GetProperty("model_version").GetString());
        for (var i = 0; i < expected.Count; i++)
        {
            var served = predictions[i].GetProperty("scores")[1].GetDouble();
            Assert.True(Math.Abs(expected[i] - served) <= 1e-5, $"validation row {i + 1}: ML.NET {expected[i]}, served {served}");
        }
    }

    /// <summary>
    /// The AUC the data allows: the generator's true churn probabilities ranked against the validation labels (on
    /// the rows without missing cells), the best any model can do on this sample.
    /// </summary>
    private async Task<double> OracleAucAsync(string sweepId)
    {
        var sweeps = new BlobContainerClient(_stack.ConnectionString, "sweeps");
        var lines = (await sweeps.GetBlobClient($"{sweepId}/data/validation.csv").DownloadContentAsync()).Value.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(c => c.All(x => x.Length > 0)).ToList();
        var truth = rows.Select(c => ReferenceDatasets.ChurnProbability(int.Parse(c[Column("tenure")], CultureInfo.InvariantCulture),
            double.Parse(c[Column("charges")], CultureInfo.InvariantCulture), c[Column("contract")])).ToList();
        return ModelMetrics.Auc(rows.Select(c => int.Parse(c[Column("churned")], CultureInfo.InvariantCulture)).ToList(), truth);
    }

    /// <summary>A CSV cell as a JSON value: a number, a string, or null when the cell is empty (missing).</summary>
    private static string Json(string cell) =>
        cell.Length == 0 ? "null" : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? cell : $"\"{cell}\"";

    private async Task<JsonElement> RunSweepAsync(string body)
    {
        var start = await Client.PostJsonAsync("orchestrations/training-sweeps", body);
        Assert.True(start.Status == HttpStatusCode.Accepted, $"{start.Status}: {start.Body}");
        var id = start.Json.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var status = await Client.GetJsonAsync($"orchestrations/{id}");
            var runtime = status.Json.GetProperty("runtime_status").GetString();
            if (runtime is "Completed" or "Failed" or "Terminated")
            {
                return status.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"sweep {id} still {runtime}: {status.Json}");
            await Task.Delay(500);
        }
    }

    private async Task UploadAsync(string container, string name, string content)
    {
        var client = new BlobContainerClient(_stack.ConnectionString, container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }
}
