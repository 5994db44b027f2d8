using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The PyTorch trainer (trainer-torch/) behind the trial contract, through a runner of its own (<see cref="TorchStackFixture"/>)
/// whose torch trials run as child processes of Debian's python3 with python3-torch (installed through apt when missing): each
/// architecture's model is accepted by the registry and serves the trainer's own validation predictions; its metrics are
/// core's ModelMetrics of those predictions; a sweep mixing LightGBM and torch ranks both on one leaderboard and
/// registers the best. Tiny data and few epochs keep each trial to seconds on a CPU.
/// </summary>
public sealed class TorchTrainerEndToEndTests : IClassFixture<TorchStackFixture>
{
    private const int Rows = 1_000;

    private readonly TorchStackFixture _stack;

    public TorchTrainerEndToEndTests(TorchStackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task TorchTrials_BothArchitectures_RegistryAcceptsThemAndServesTheTrainersOwnPredictions()
    {
        var model = "torch-" + Guid.NewGuid().ToString("N")[..6];
        await UploadAsync($"{model}.csv", ReferenceDatasets.ChurnCsv(Rows, seed: 11));

        var sweep = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"torch_mlp","grid":{"hidden_size":[32],"max_epochs":[15]}},
                           {"name":"torch_ft_transformer","grid":{"d_token":[8],"n_blocks":[1],"max_epochs":[5]}}],
             "metric":"auc","max_parallel_trials":2,"model_name":"{{{model}}}","seed":3,"promotion":{"policy":"none"}}
            """);

        Assert.True(sweep.GetProperty("runtime_status").GetString() == "Completed", sweep.ToString());
        var sweepId = sweep.GetProperty("instance_id").GetString()!;
        var tracked = await Client.GetJsonAsync($"sweeps/{sweepId}");
        var trials = tracked.Json.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["torch_ft_transformer", "torch_mlp"], trials.Select(t => t.GetProperty("algorithm").GetString()).Order());
        Assert.All(trials, t => Assert.Equal(("succeeded", TrainingOptions.TorchProcessRunner), (t.GetProperty("status").GetString(), t.GetProperty("runner").GetString())));
        var validation = await ReadAsync($"{sweepId}/data/validation.csv");
        foreach (var trial in trials.Select(t => t.GetProperty("trial_id").GetString()!))
        {
            var folder = $"{sweepId}/trials/{trial}";
            var expected = Probabilities(await ReadAsync($"{folder}/{TrialOutputs.ValidationPredictions}"));
            var metrics = TrialMetrics.FromJson(await ReadAsync($"{folder}/{TrialOutputs.Metrics}"));
            var labels = Column(validation, "churned").Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList();
            AssertSameMetrics(ModelMetrics.Binary(labels, expected), metrics.Metrics);
            Assert.True(metrics.Metrics[MetricNames.Auc] > 0.6, $"trial {trial}: validation AUC {metrics.Metrics[MetricNames.Auc]}");

            var registered = $"{model}-{trial}";
            Assert.Equal(HttpStatusCode.Created, (await Client.PutBytesAsync($"models/{registered}/versions/1", await ReadBytesAsync($"{folder}/{TrialOutputs.Model}"))).Status);
            var manifest = await Client.PutJsonAsync($"models/{registered}/versions/1/manifest", await ReadAsync($"{folder}/{TrialOutputs.Manifest}"));
            Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{manifest.Status}: {manifest.Body}");
            await AssertServesAsync(Client, registered, validation, expected);
        }
    }

    [Fact]
    public async Task MixedSweep_LightGbmAndTorch_RankOnOneLeaderboardAndRegisterTheBest()
    {
        var model = "mixed-" + Guid.NewGuid().ToString("N")[..6];
        await UploadAsync($"{model}.csv", ReferenceDatasets.ChurnCsv(Rows, seed: 12));

        var sweep = await RunSweepAsync($$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"lightgbm","grid":{"num_leaves":[4],"num_iterations":[20]}},{"name":"torch_mlp","grid":{"max_epochs":[15]}}],
             "metric":"log_loss","max_parallel_trials":2,"model_name":"{{{model}}}","seed":5,
             "promotion":{"policy":"promote-if-better","margin":0.0}}
            """);

        Assert.True(sweep.GetProperty("runtime_status").GetString() == "Completed", sweep.ToString());
        var output = sweep.GetProperty("output");
        var leaderboard = output.GetProperty("leaderboard").EnumerateArray().ToList();
        Assert.Equal(["lightgbm", "torch_mlp"], leaderboard.Select(e => e.GetProperty("algorithm").GetString()).Order());
        var losses = leaderboard.Select(e => e.GetProperty("metrics").GetProperty("log_loss").GetDouble()).ToList();
        Assert.True(losses[0] <= losses[1], $"log_loss ranks lower first: {string.Join(", ", losses)}");
        Assert.Equal(leaderboard[0].GetProperty("trial_id").GetString(), output.GetProperty("best_trial_id").GetString());
        Assert.Equal(losses[0], output.GetProperty("best_value").GetDouble());
        Assert.Equal("1", output.GetProperty("registered_version").GetString());
        Assert.True(output.GetProperty("promoted").GetBoolean(), output.ToString());
        // The registered version is the best trial's model: served on the validation rows, it scores what the trial measured.
        Assert.Equal(losses[0], output.GetProperty("served_value").GetDouble(), 4);

        var tracked = await Client.GetJsonAsync($"sweeps/{sweep.GetProperty("instance_id").GetString()}");
        var runners = tracked.Json.GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("algorithm").GetString()!, t => t.GetProperty("runner").GetString());
        Assert.Equal(TrainingOptions.ProcessRunner, runners["lightgbm"]);
        Assert.Equal(TrainingOptions.TorchProcessRunner, runners["torch_mlp"]);
        Assert.Equal(output.GetProperty("best_trial_id").GetString(), tracked.Json.GetProperty("leaderboard")[0].GetProperty("trial_id").GetString());
    }

    /// <summary>The served /predict answers equal the trainer's own predictions on every validation row (missing cells sent as null).</summary>
    private static async Task AssertServesAsync(HttpClient client, string model, string validation, IReadOnlyList<double> expected)
    {
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

        var answer = await client.PostJsonAsync($"models/{model}/predict", $$"""{"instances":[{{string.Join(",", instances)}}]}""");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.Status}: {answer.Body}");
        var predictions = answer.Json.GetProperty("predictions").EnumerateArray().ToList();
        for (var i = 0; i < expected.Count; i++)
        {
            var served = predictions[i].GetProperty("scores")[1].GetDouble();
            Assert.True(Math.Abs(expected[i] - served) <= 1e-5, $"{model}, validation row {i + 1}: torch {expected[i]}, served {served}");
        }
    }

    private static void AssertSameMetrics(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected)
        {
            Assert.True(Math.Abs(value - actual[name]) <= 1e-12, $"{name}: ModelMetrics {value}, metrics.json {actual[name]}");
        }
    }

    private static List<double> Probabilities(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
        .Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToList();

    private static List<string> Column(string csv, string name)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(lines[0].Split(','), name);
        return lines.Skip(1).Select(l => l.Split(',')[index]).ToList();
    }

    private static string Json(string cell) =>
        cell.Length == 0 ? "null" : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? cell : $"\"{cell}\"";

    private async Task<string> ReadAsync(string path) => (await ReadBlobAsync(path)).ToString();

    private async Task<byte[]> ReadBytesAsync(string path) => (await ReadBlobAsync(path)).ToArray();

    private async Task<BinaryData> ReadBlobAsync(string path) =>
        (await new BlobContainerClient(_stack.ConnectionString, "sweeps").GetBlobClient(path).DownloadContentAsync()).Value.Content;

    private async Task UploadAsync(string name, string content)
    {
        var client = new BlobContainerClient(_stack.ConnectionString, "training");
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

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
}
