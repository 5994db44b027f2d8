using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Monitoring end to end on the local runner: a model trained by a sweep (so it has a baseline, validation metrics
/// and a prediction baseline) serves traffic drawn like its training data, then shifted traffic whose outcomes
/// contradict it; each phase's feedback is posted and the monitor run over HTTP. The reports say no drift, then
/// drift and decay, in JSON and in the HTML page.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MonitoringEndToEndTests
{
    private readonly StackFixture _stack;

    public MonitoringEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Monitor_TrafficLikeTrainingThenShiftedWithContradictingOutcomes_NoDriftThenDriftAndDecay()
    {
        var model = "watched-" + Guid.NewGuid().ToString("N")[..6];
        await TrainAsync(model);

        await SendAsync(model, "calm", ReferenceDatasets.ChurnCsv(600, seed: 11), flipOutcomes: false);
        var calm = await MonitorUntilAsync(model, rows: 600);
        Assert.False(calm.GetProperty("drift").GetProperty("dataset_drift").GetBoolean(), calm.GetProperty("drift").ToString());
        Assert.False(calm.GetProperty("performance").GetProperty("decayed").GetBoolean(), calm.GetProperty("performance").ToString());
        Assert.Equal(600, calm.GetProperty("performance").GetProperty("labelled_rows").GetInt64());
        Assert.Empty(calm.GetProperty("findings").EnumerateArray());

        await SendAsync(model, "storm", ShiftedCsv(1_200, seed: 12), flipOutcomes: true);
        var storm = await MonitorUntilAsync(model, rows: 1_800);
        Assert.True(storm.GetProperty("drift").GetProperty("dataset_drift").GetBoolean(), storm.GetProperty("drift").ToString());
        Assert.True(storm.GetProperty("performance").GetProperty("decayed").GetBoolean(), storm.GetProperty("performance").ToString());
        var kinds = storm.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()).ToList();
        Assert.Contains("data_drift", kinds);
        Assert.Contains("performance_decay", kinds);

        var page = await Client.GetAsync($"models/{model}/monitoring/reports/latest.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<svg", html);
        Assert.Contains("performance_decay", html);

        var list = await Client.GetJsonAsync($"models/{model}/monitoring/reports");
        Assert.True(list.Json.GetProperty("reports").GetArrayLength() >= 2);
        Assert.True(list.Json.GetProperty("reports")[0].GetProperty("performance_decay").GetBoolean());
    }

    [Fact]
    public async Task Reports_ModelNeverMonitored_Returns404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("models/never-watched/monitoring/reports/latest")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostJsonAsync("monitoring/runs", """{"colour":"red"}""")).Status);
    }

    private async Task TrainAsync(string model)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "training");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{model}.csv").UploadAsync(BinaryData.FromString(ReferenceDatasets.ChurnCsv(1_500, seed: 3)), overwrite: true);
        var start = await Client.PostJsonAsync("orchestrations/training-sweeps", $$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"lbfgs"}],"metric":"auc","model_name":"{{{model}}}","seed":7,"promotion":{"policy":"promote-if-better"}}
            """);
        Assert.True(start.Status == HttpStatusCode.Accepted, start.Body.ToString());
        var id = start.Json.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var status = (await Client.GetJsonAsync($"orchestrations/{id}")).Json;
            var runtime = status.GetProperty("runtime_status").GetString();
            if (runtime == "Completed")
            {
                return;
            }

            Assert.True(runtime is "Running" or "Pending" && DateTime.UtcNow < deadline, status.ToString());
            await Task.Delay(500);
        }
    }

    /// <summary>Sends the rows to /predict 100 at a time with our own request ids, then posts every row's outcome (or its opposite).</summary>
    private async Task SendAsync(string model, string phase, string csv, bool flipOutcomes)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var feedback = new List<string>();
        foreach (var (chunk, k) in rows.Chunk(100).Select((c, k) => (c, k)))
        {
            var requestId = $"{phase}-{k}";
            var instances = chunk.Select(cells => "{" + string.Join(",", header.Select((h, i) => (h, i))
                .Where(x => x.h is not ("churned" or "customer_id"))
                .Select(x => $"\"{x.h}\":{Json(cells[x.i])}")) + "}");
            var answer = await Client.SendAsync(HttpMethod.Post, $"models/{model}/predict",
                new StringContent($$"""{"instances":[{{string.Join(",", instances)}}]}""", Encoding.UTF8, "application/json"),
                new Dictionary<string, string> { ["x-request-id"] = requestId });
            Assert.True(answer.Status == HttpStatusCode.OK, answer.Body.ToString());
            Assert.Equal(requestId, answer.Response.Headers.GetValues("x-request-id").Single());
            for (var row = 0; row < chunk.Length; row++)
            {
                var actual = chunk[row][Array.IndexOf(header, "churned")] == "1" ^ flipOutcomes ? 1 : 0;
                feedback.Add($$"""{"id":"{{requestId}}","row":{{row}},"actual":{{actual}}}""");
            }
        }

        var posted = await Client.PostJsonAsync($"models/{model}/feedback", "[" + string.Join(",", feedback) + "]");
        Assert.Equal(HttpStatusCode.Accepted, posted.Status);
    }

    /// <summary>Runs the monitor for the model until its latest report has seen the expected rows (the inference log flushes in the background).</summary>
    private async Task<JsonElement> MonitorUntilAsync(string model, long rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var run = await Client.PostJsonAsync("monitoring/runs", $$"""{"model":"{{model}}"}""");
            Assert.Equal(HttpStatusCode.OK, run.Status);
            var latest = await Client.GetJsonAsync($"models/{model}/monitoring/reports/latest");
            Assert.Equal(HttpStatusCode.OK, latest.Status);
            if (latest.Json.GetProperty("rows").GetInt64() >= rows)
            {
                Assert.Equal(rows, latest.Json.GetProperty("rows").GetInt64());
                return latest.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the monitor saw {latest.Json.GetProperty("rows")} of {rows} rows: {run.Json}");
            await Task.Delay(1_000);
        }
    }

    /// <summary>Long-tenure, high-charge customers, mostly on two-year contracts: far from the training mix.</summary>
    private static string ShiftedCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("customer_id,tenure,charges,contract,noise,churned\n");
        for (var i = 0; i < rows; i++)
        {
            var tenure = random.Next(48, 72);
            var charges = Math.Round(90 + (random.NextDouble() * 30), 2);
            var contract = random.NextDouble() < 0.8 ? "two-year" : "monthly";
            var churned = random.NextDouble() < ReferenceDatasets.ChurnProbability(tenure, charges, contract) ? 1 : 0;
            csv.Append(CultureInfo.InvariantCulture, $"s{i},{tenure},{charges},{contract},{Math.Round(random.NextDouble(), 4)},{churned}\n");
        }

        return csv.ToString();
    }

    private static string Json(string cell) =>
        cell.Length == 0 ? "null" : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? cell : $"\"{cell}\"";
}
