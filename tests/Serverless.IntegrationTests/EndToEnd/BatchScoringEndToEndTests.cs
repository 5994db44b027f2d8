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
        await UploadAsync("data", "batch/customers.csv", Csv(rows, badRows));

        var status = await RunAsync($$"""
            {"input":"data/batch/customers.csv","model":"{{Model}}","output":"scores/batch/run-100k",
             "id_column":"customer_id","chunk_rows":20000,"max_parallelism":4,"max_bad_rows":10,"merge":true}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var output = status.GetProperty("output");
        Assert.Equal(rows, output.GetProperty("rows_in").GetInt64());
        Assert.Equal(rows - badRows.Count, output.GetProperty("rows_out").GetInt64());
        Assert.Equal(badRows.Count, output.GetProperty("bad_rows").GetInt64());

        var merged = (await Container("scores").GetBlobClient("batch/run-100k/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
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

        var errors = await ReadErrorsAsync("scores", "batch/run-100k/errors/");
        Assert.Equal(badRows.Keys.Order(), errors.Select(e => e.GetProperty("row").GetInt64()).Order());
        Assert.All(errors, e => Assert.Equal(badRows[e.GetProperty("row").GetInt64()], e.GetProperty("feature").GetString()));
        Assert.All(errors, e => Assert.Equal($"c{e.GetProperty("row").GetInt64()}", e.GetProperty("id").GetString()));
        Assert.Empty(await ReadErrorsAsync("scores", "batch/run-100k/_staging/"));
    }

    [Fact]
    public async Task BatchScoring_PlannedAtStartInNoMoreChunksThanRunAtOnce_NumbersRowsFileWideAndAnswersTheWaitingStatus()
    {
        await RegisterModelAsync();
        var badRows = new Dictionary<long, string> { [5] = "age", [2_500] = "city" };
        await UploadAsync("data", "batch/planned.csv", Csv(3_000, badRows));

        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""
            {"input":"data/batch/planned.csv","model":"{{Model}}","output":"scores/batch/planned","chunk_rows":1000,"max_parallelism":4,"merge":true}
            """);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var status = await Client.GetJsonAsync($"orchestrations/{start.Json.GetProperty("id").GetString()}?wait=120");

        Assert.True(status.Json.GetProperty("runtime_status").GetString() == "Completed", status.Json.ToString());
        var output = status.Json.GetProperty("output");
        var chunks = output.GetProperty("chunks").GetInt32();
        Assert.InRange(chunks, 2, 4);
        Assert.Equal((3_000L, 2_998L, 2L), (output.GetProperty("rows_in").GetInt64(), output.GetProperty("rows_out").GetInt64(), output.GetProperty("bad_rows").GetInt64()));
        var merged = (await Container("scores").GetBlobClient("batch/planned/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var rows = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => long.Parse(line.Split(',')[0], CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(1, 3_000).Select(r => (long)r).Where(r => !badRows.ContainsKey(r)), rows);
        var errors = await ReadErrorsAsync("scores", "batch/planned/errors/");
        Assert.Equal([5L, 2_500L], errors.Select(e => e.GetProperty("row").GetInt64()).Order());
        var manifest = JsonDocument.Parse((await Container("scores").GetBlobClient("batch/planned/manifest.json").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(Enumerable.Range(0, chunks), manifest.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task BatchScoring_JsonLinesErrors_CarryTheIdOrSayWhyItIsUnreadable()
    {
        await RegisterModelAsync();
        await UploadAsync("data", "batch/lines.jsonl", """
            {"customer_id": "Zoë-1", "age": 30, "city": "Oslo"}
            {"customer_id": "Zoë-2", "age": "abc", "city": "Oslo"}
            {"age": "abc", "city": "Oslo"}
            {"customer_id": 4, "age": 30, "city": "Paris"}
            {"customer_id": "5", "age": 30,
            """ + "\n");

        var status = await RunAsync($$"""
            {"input":"data/batch/lines.jsonl","model":"{{Model}}","output":"scores/batch/lines","id_column":"customer_id","max_bad_rows":10}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var errors = (await ReadErrorsAsync("scores", "batch/lines/errors/")).ToDictionary(e => e.GetProperty("row").GetInt64());
        Assert.Equal([2L, 3L, 4L, 5L], errors.Keys.Order());
        Assert.Equal("Zoë-2", errors[2].GetProperty("id").GetString());
        Assert.Equal("age", errors[2].GetProperty("feature").GetString());
        Assert.False(errors[3].TryGetProperty("id", out _));
        Assert.Equal("the line has no field 'customer_id'", errors[3].GetProperty("id_error").GetString());
        Assert.Equal("4", errors[4].GetProperty("id").GetString());
        Assert.StartsWith("the line is not valid JSON", errors[5].GetProperty("id_error").GetString());
        Assert.Equal("not valid JSON: the line ends before the JSON is complete", errors[5].GetProperty("reason").GetString());
        var raw = await DownloadTextAsync("scores", "batch/lines/errors/");
        Assert.Contains("\"id\":\"Zoë-2\"", raw);
    }

    [Fact]
    public async Task BatchScoring_StartedBeforeARestart_CompletesAfterIt()
    {
        await RegisterModelAsync();
        await UploadAsync("data", "batch/restart.csv", Csv(3_000, new Dictionary<long, string>()));

        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""
            {"input":"data/batch/restart.csv","model":"{{Model}}","output":"scores/batch/restart","chunk_rows":100,"max_parallelism":2}
            """);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        await _stack.RestartHostAsync();
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        Assert.Equal(3_000, status.GetProperty("output").GetProperty("rows_out").GetInt64());
    }

    [Fact]
    public async Task BatchScoring_TooManyBadRows_FailsWithThePlainReason()
    {
        await RegisterModelAsync();
        var bad = Enumerable.Range(1, 30).ToDictionary(i => (long)i * 10, _ => "age");
        await UploadAsync("data", "batch/dirty.csv", Csv(1_000, bad));

        var status = await RunAsync($$"""
            {"input":"data/batch/dirty.csv","model":"{{Model}}","output":"scores/batch/dirty","chunk_rows":200,"max_bad_rows":5}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Failed", status.ToString());
        var error = status.GetProperty("error").GetString()!;
        Assert.Equal("Batch scoring failed: 30 malformed row(s) exceed the limit of 5. Each is listed with its row number and reason under " +
                     "scores/batch/dirty/errors/; the manifest is scores/batch/dirty/manifest.json.", error);
        WorkflowErrors.AssertPlain(error);
    }

    [Theory]
    [InlineData("""{"model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "'input' is required")]
    [InlineData("""{"input":"data/batch/none.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "'input' names blob 'data/batch/none.csv', which does not exist.")]
    [InlineData("""{"input":"data/batch/customers.txt","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "format")]
    [InlineData("""{"input":"data/batch/a.csv","model":"batch-churn","output":"scores/p","chunk_rows":5}""", HttpStatusCode.BadRequest, "chunk_rows")]
    [InlineData("""{"input":"data/batch/a.csv","model":"batch-churn","output":"scores/p","colour":"red"}""", HttpStatusCode.BadRequest, "colour")]
    [InlineData("""{"input":"data/batch/../../models/x.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "'input' has a '.' or '..' path segment")]
    [InlineData("""{"input":"https://evil.example/data/x.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "not a URL")]
    [InlineData("""{"input":"data\\batch\\x.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "backslash")]
    [InlineData("""{"input":"data/batch/x\u0000.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "control character")]
    [InlineData("""{"input":"scores/p/in.csv","model":"batch-churn","output":"scores/p"}""", HttpStatusCode.BadRequest, "lies under 'output'")]
    public async Task StartBatchScoring_BadRequest_AnswersWithoutStarting(string body, HttpStatusCode expected, string mentions)
    {
        await RegisterModelAsync();

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", body);

        Assert.Equal(expected, answer.Status);
        Assert.Contains(mentions, answer.Error);
    }

    [Theory]
    [InlineData("{registry}/batch-churn/1/model.onnx", "scores/attack", "input", "{registry}")]
    [InlineData("data/batch/attack-source.csv", "{registry}/batch-churn/1", "output", "{registry}")]
    [InlineData("models/batch-churn/1/model.onnx", "scores/attack", "input", "models")]
    [InlineData("azure-webjobs-hosts/locks/x.csv", "scores/attack", "input", "azure-webjobs-hosts")]
    [InlineData("data/batch/attack-source.csv", "azure-webjobs-hosts/attack", "output", "azure-webjobs-hosts")]
    [InlineData("data/batch/attack-source.csv", "sweeps/attack", "output", "sweeps")]
    [InlineData("data/batch/attack-source.csv", "serverlesshub-largemessages", "output", "serverlesshub-largemessages")]
    public async Task StartBatchScoring_AppContainer_IsBadRequestAndNothingIsWritten(string input, string output, string field, string container)
    {
        await RegisterModelAsync();
        await UploadAsync("data", "batch/attack-source.csv", Csv(300, new Dictionary<long, string>()));
        (input, output, container) = (input.Replace("{registry}", _stack.ContainerName), output.Replace("{registry}", _stack.ContainerName),
            container.Replace("{registry}", _stack.ContainerName));
        var before = await SnapshotAsync(container, "scores");

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""{"input":"{{input}}","model":"{{Model}}","output":"{{output}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains($"'{field}' names container '{container}', which is not a data container", answer.Error);
        Assert.Contains("data, training, scores", answer.Error);
        await Task.Delay(500);
        Assert.Equal(before, await SnapshotAsync(container, "scores"));
    }

    [Fact]
    public async Task StartBatchScoring_TinyChunksOfALargeInput_IsBadRequestAtStart()
    {
        await RegisterModelAsync();
        var rows = new StringBuilder("customer_id,age,city\n", 2_300_000);
        rows.Insert(rows.Length, "1\n", 1_100_000);
        await UploadAsync("data", "batch/many-rows.csv", rows.ToString());

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""
            {"input":"data/batch/many-rows.csv","model":"{{Model}}","output":"scores/batch/many-rows","chunk_rows":100}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("at most 10000 chunks are allowed: set 'chunk_rows' to at least 111", answer.Error);
    }

    [Fact]
    public async Task BatchScoring_IdsThatASpreadsheetWouldRun_AreEscapedInPredictions()
    {
        await RegisterModelAsync();
        await UploadAsync("data", "batch/hostile-ids.csv", "customer_id,age,city\n=1+1,30,Oslo\n-5,40,Bergen\n@SUM(A1),50,Trondheim\n+cmd,60,Oslo\n");

        var status = await RunAsync($$"""
            {"input":"data/batch/hostile-ids.csv","model":"{{Model}}","output":"scores/batch/hostile-ids","id_column":"customer_id","merge":true,"max_bad_rows":10}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var merged = (await Container("scores").GetBlobClient("batch/hostile-ids/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var ids = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0]).ToList();
        Assert.Equal(["'=1+1", "-5", "'@SUM(A1)", "'+cmd"], ids);
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

    /// <summary>Every blob (name and ETag) in the containers, so a test can show that nothing was written.</summary>
    private async Task<string> SnapshotAsync(params string[] containers)
    {
        var blobs = new List<string>();
        foreach (var name in containers)
        {
            var container = Container(name);
            if (!(await container.ExistsAsync()).Value)
            {
                blobs.Add($"{name}: absent");
                continue;
            }

            await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, default))
            {
                blobs.Add($"{name}/{blob.Name} {blob.Properties.ETag}");
            }
        }

        return string.Join("\n", blobs.Order(StringComparer.Ordinal));
    }

    private async Task UploadAsync(string container, string name, string content)
    {
        var client = Container(container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

    private async Task<string> DownloadTextAsync(string container, string prefix)
    {
        var text = new StringBuilder();
        await foreach (var blob in Container(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, default))
        {
            text.Append((await Container(container).GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
        }

        return text.ToString();
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
