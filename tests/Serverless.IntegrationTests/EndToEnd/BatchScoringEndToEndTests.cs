using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>Batch scoring through the local runner's Durable Task engine on Azurite, compared with the online records API.</summary>
[Collection(StackCollection.Name)]
public sealed class BatchScoringEndToEndTests
{
    private const string Model = "batch-churn";

    private readonly StackFixture _stack;

    public BatchScoringEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task BatchScoring_100kRows_EqualsOnlinePredictionsRowByRowAndListsBadRows()
    {
        await RegisterModelAsync();
        const int rows = 100_000;
        var badRows = new Dictionary<long, string> { [17] = "age", [50_001] = "city", [99_999] = "age" };
        await UploadAsync("batch-input", "customers.csv", Csv(rows, badRows));

        var status = await RunAsync($$"""
            {"input":"batch-input/customers.csv","model":"{{Model}}","output":"batch-output/run-100k",
             "id_column":"customer_id","chunk_rows":20000,"max_parallelism":4,"max_bad_rows":10,"merge":true}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var output = status.GetProperty("output");
        Assert.Equal(rows, output.GetProperty("RowsIn").GetInt64());
        Assert.Equal(rows - badRows.Count, output.GetProperty("RowsOut").GetInt64());
        Assert.Equal(badRows.Count, output.GetProperty("BadRows").GetInt64());

        var merged = (await Container("batch-output").GetBlobClient("run-100k/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var batch = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(f => f[0], f => double.Parse(f[2], CultureInfo.InvariantCulture));
        Assert.Equal(rows - badRows.Count, batch.Count);

        var online = await PredictOnlineAsync(rows, badRows);
        Assert.Equal(online.Count, batch.Count);
        foreach (var (id, probability) in online)
        {
            Assert.Equal(probability, batch[id], 1e-6);
        }

        var errors = await ReadErrorsAsync("batch-output", "run-100k/errors/");
        Assert.Equal(badRows.Keys.Order(), errors.Select(e => e.GetProperty("row").GetInt64()).Order());
        Assert.All(errors, e => Assert.Equal(badRows[e.GetProperty("row").GetInt64()], e.GetProperty("feature").GetString()));
        Assert.Empty(await ReadErrorsAsync("batch-output", "run-100k/_staging/"));
    }

    [Fact]
    public async Task BatchScoring_StartedBeforeARestart_CompletesAfterIt()
    {
        await RegisterModelAsync();
        await UploadAsync("batch-input", "restart.csv", Csv(3_000, new Dictionary<long, string>()));

        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""
            {"input":"batch-input/restart.csv","model":"{{Model}}","output":"batch-output/restart","chunk_rows":100,"max_parallelism":2}
            """);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        await _stack.RestartHostAsync();
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        Assert.Equal(3_000, status.GetProperty("output").GetProperty("RowsOut").GetInt64());
    }

    [Fact]
    public async Task BatchScoring_TooManyBadRows_FailsWithAClearMessage()
    {
        await RegisterModelAsync();
        var bad = Enumerable.Range(1, 30).ToDictionary(i => (long)i * 10, _ => "age");
        await UploadAsync("batch-input", "dirty.csv", Csv(1_000, bad));

        var status = await RunAsync($$"""
            {"input":"batch-input/dirty.csv","model":"{{Model}}","output":"batch-output/dirty","chunk_rows":200,"max_bad_rows":5}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Failed", status.ToString());
        Assert.True(status.GetProperty("error").GetString()?.Contains("30 malformed row(s) exceed the limit of 5") == true, status.ToString());
    }

    [Theory]
    [InlineData("""{"model":"batch-churn","output":"o/p"}""", HttpStatusCode.BadRequest, "'input' is required")]
    [InlineData("""{"input":"batch-input/none.csv","model":"batch-churn","output":"o/p"}""", HttpStatusCode.NotFound, "none.csv")]
    [InlineData("""{"input":"batch-input/customers.txt","model":"batch-churn","output":"o/p"}""", HttpStatusCode.BadRequest, "format")]
    [InlineData("""{"input":"batch-input/a.csv","model":"batch-churn","output":"o/p","chunk_rows":5}""", HttpStatusCode.BadRequest, "chunk_rows")]
    [InlineData("""{"input":"batch-input/a.csv","model":"batch-churn","output":"o/p","colour":"red"}""", HttpStatusCode.BadRequest, "colour")]
    public async Task StartBatchScoring_BadRequest_AnswersWithoutStarting(string body, HttpStatusCode expected, string mentions)
    {
        await RegisterModelAsync();

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", body);

        Assert.Equal(expected, answer.Status);
        Assert.Contains(mentions, answer.Error);
    }

    [Fact]
    public async Task OrchestrationApi_UnknownInstance_Returns404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("orchestrations/nope")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostJsonAsync("orchestrations/nope/terminate", "")).Status);
    }

    private async Task RegisterModelAsync()
    {
        await Client.PutBytesAsync($"models/{Model}/versions/1", ReferenceModels.PerFeatureBinaryClassifier());
        var manifest = await Client.PutJsonAsync($"models/{Model}/versions/1/manifest", ReferenceManifests.PerFeatureBinary());
        Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"manifest: {manifest.Status} {manifest.Body}");
    }

    private static (int Age, string City) Row(long row) => ((int)(row * 7 % 90) + 10, ReferenceModels.Cities[(int)(row % 3)]);

    private static string Csv(int rows, Dictionary<long, string> badRows)
    {
        var csv = new StringBuilder("customer_id,age,city\n", rows * 24);
        for (long row = 1; row <= rows; row++)
        {
            var (age, city) = Row(row);
            var ageText = badRows.GetValueOrDefault(row) == "age" ? "abc" : age.ToString(CultureInfo.InvariantCulture);
            var cityText = badRows.GetValueOrDefault(row) == "city" ? "Paris" : city;
            csv.Append("c").Append(row).Append(',').Append(ageText).Append(',').Append(cityText).Append('\n');
        }

        return csv.ToString();
    }

    private async Task<Dictionary<string, double>> PredictOnlineAsync(int rows, Dictionary<long, string> badRows)
    {
        var online = new Dictionary<string, double>();
        var good = Enumerable.Range(1, rows).Select(r => (long)r).Where(r => !badRows.ContainsKey(r)).ToList();
        foreach (var slice in good.Chunk(10_000))
        {
            var data = string.Join(",", slice.Select(r => $"[{Row(r).Age},\"{Row(r).City}\"]"));
            var answer = await Client.PostJsonAsync($"models/{Model}/predict", $$$"""{"dataframe_split":{"columns":["age","city"],"data":[{{{data}}}]}}""");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var predictions = answer.Json.GetProperty("predictions");
            for (var i = 0; i < slice.Length; i++)
            {
                online["c" + slice[i]] = predictions[i].GetProperty("probability").GetDouble();
            }
        }

        return online;
    }

    private async Task<JsonElement> RunAsync(string body)
    {
        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", body);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        Assert.NotNull(start.Response.Headers.Location);
        return await WaitAsync(start.Json.GetProperty("id").GetString()!);
    }

    private async Task<JsonElement> WaitAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var status = await Client.GetJsonAsync($"orchestrations/{instanceId}");
            Assert.Equal(HttpStatusCode.OK, status.Status);
            var runtime = status.Json.GetProperty("runtime_status").GetString();
            if (runtime is "Completed" or "Failed" or "Terminated")
            {
                return status.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"orchestration {instanceId} still {runtime}: {status.Json}");
            await Task.Delay(250);
        }
    }

    private BlobContainerClient Container(string name) => new(_stack.ConnectionString, name);

    private async Task UploadAsync(string container, string name, string content)
    {
        var client = Container(container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

    private async Task<List<JsonElement>> ReadErrorsAsync(string container, string prefix)
    {
        var errors = new List<JsonElement>();
        await foreach (var blob in Container(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, default))
        {
            var text = (await Container(container).GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            errors.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()));
        }

        return errors;
    }
}
