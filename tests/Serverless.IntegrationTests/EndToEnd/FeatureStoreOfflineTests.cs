using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Storage;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The feature store's offline side through the local runner over HTTP, against Azurite: materialisation rebuilds the online store from
/// the history in chunks with progress on the orchestration status route, and batch scoring joins features exactly as online serving does.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FeatureStoreOfflineTests
{
    private const string Set = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 31536000}""";

    private readonly StackFixture _stack;

    public FeatureStoreOfflineTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Materialisation_OfALargeHistory_RebuildsTheOnlineStore_WithProgress()
    {
        await PutAsync("feature-sets/fs-mat/versions/1", Set);
        var days = 5;
        for (var day = 0; day < days; day++)
        {
            var time = Time(new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(day - days));
            var rows = string.Join(",", Enumerable.Range(0, 400).Select(k => $$"""{"customer_id": "m{{k}}", "event_time": "{{time}}", "f1": {{day}}, "f2": {{k}}}"""));
            var written = await Client.PostJsonAsync("feature-sets/fs-mat/versions/1/rows", $$"""{"rows": [{{rows}}]}""");
            Assert.Equal(HttpStatusCode.OK, written.Status);
        }

        var table = new TableClient(_stack.ConnectionString, AppStorageNames.FeatureOnlineTable);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.RowKey == "fs-mat@1"))
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        }

        var start = await Client.PostJsonAsync("feature-sets/fs-mat/versions/1/materialisations", """{"blobs_per_chunk": 1, "max_parallelism": 2}""");
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        Assert.Equal($"/api/orchestrations/{start.Json.GetProperty("id").GetString()}", start.Response.Headers.Location?.OriginalString);
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        Assert.Equal("FeatureMaterialisation", status.GetProperty("name").GetString());
        var output = status.GetProperty("output");
        Assert.Equal((days, days, 2_000L), (output.GetProperty("chunks").GetInt32(), output.GetProperty("blobs").GetInt32(), output.GetProperty("rows").GetInt64()));
        Assert.InRange(output.GetProperty("entities_written").GetInt64(), 400, 2_000);
        var progress = status.GetProperty("custom_status");
        Assert.Equal(("completed", days, 2_000L), (progress.GetProperty("stage").GetString(), progress.GetProperty("chunks_done").GetInt32(), progress.GetProperty("rows").GetInt64()));
        var restored = await table.GetEntityAsync<TableEntity>("m7", "fs-mat@1");
        Assert.Equal((days - 1.0, 7.0), (restored.Value.GetDouble("v0"), restored.Value.GetDouble("v1")));
    }

    [Fact]
    public async Task Materialisation_OfALargeCsvFile_LoadsOnlineStoreAndHistoryInChunks_WithProgress_AndTheNewestEventTimeWins()
    {
        const int keys = 2_000;
        const int times = 4;
        await PutAsync("feature-sets/fs-file/versions/1", Set);
        var day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-10);
        var csv = new StringBuilder("customer_id,event_time,f1,f2\n");
        // Each key's rows out of event-time order in the file (newest second), so chunks see them in any order.
        foreach (var t in new[] { 1, 3, 0, 2 })
        {
            for (var k = 0; k < keys; k++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"f{k},{Time(day.AddHours(t))},{t},{k}\n");
            }
        }

        await UploadAsync("data", "features/fs-file.csv", csv.ToString());

        var start = await Client.PostJsonAsync("feature-sets/fs-file/versions/1/materialisations",
            """{"source": "data/features/fs-file.csv", "chunk_rows": 500, "max_parallelism": 4}""");
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var seen = new List<JsonElement>();
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!, seen);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        var output = status.GetProperty("output");
        var chunks = output.GetProperty("chunks").GetInt32();
        Assert.InRange(chunks, 10, 24);
        Assert.Equal(("data/features/fs-file.csv", (long)keys * times, (long)Encoding.UTF8.GetByteCount(csv.ToString())),
            (output.GetProperty("source").GetString(), output.GetProperty("rows").GetInt64(), output.GetProperty("bytes").GetInt64()));
        var progress = status.GetProperty("custom_status");
        Assert.Equal(("completed", chunks, chunks, (long)keys * times), (progress.GetProperty("stage").GetString(), progress.GetProperty("chunks_total").GetInt32(),
            progress.GetProperty("chunks_done").GetInt32(), progress.GetProperty("rows").GetInt64()));
        var observed = seen.Where(p => p.ValueKind == JsonValueKind.Object && p.GetProperty("stage").GetString() == "materialising").ToList();
        Assert.All(observed, p => Assert.InRange(p.GetProperty("chunks_done").GetInt32(), 0, chunks));
        Assert.Equal(observed.Select(p => p.GetProperty("rows").GetInt64()).Order(), observed.Select(p => p.GetProperty("rows").GetInt64()));

        var table = new TableClient(_stack.ConnectionString, AppStorageNames.FeatureOnlineTable);
        foreach (var k in new[] { 0, 777, keys - 1 })
        {
            var stored = await table.GetEntityAsync<TableEntity>($"f{k}", "fs-file@1");
            Assert.Equal((times - 1.0, (double)k), (stored.Value.GetDouble("v0"), stored.Value.GetDouble("v1")));
        }

        var history = new BlobContainerClient(_stack.ConnectionString, AppStorageNames.FeatureHistoryContainer);
        long historyRows = 0;
        await foreach (var blob in history.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "fs-file/1/", default))
        {
            historyRows += (await history.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        Assert.Equal((long)keys * times, historyRows);
        var again = await Client.PostJsonAsync("feature-sets/fs-file/versions/1/materialisations", """{"source": "data/features/fs-file.csv", "chunk_rows": 500}""");
        var rerun = await WaitAsync(again.Json.GetProperty("id").GetString()!);
        Assert.Equal(0L, rerun.GetProperty("output").GetProperty("values_updated").GetInt64());
    }

    [Fact]
    public async Task Materialisation_OfAJsonLinesFile_WithABadRow_WritesTheOtherChunks_AndFailsNamingTheChunkAndColumn()
    {
        await PutAsync("feature-sets/fs-jsonl/versions/1", Set);
        var time = Time(DateTimeOffset.UtcNow.AddHours(-1));
        var lines = new StringBuilder();
        for (var k = 0; k < 300; k++)
        {
            lines.Append(k == 250
                ? $$"""{"customer_id": "j{{k}}", "event_time": "{{time}}", "f1": "not-a-number"}"""
                : $$"""{"customer_id": "j{{k}}", "event_time": "{{time}}", "f1": {{k}}, "f2": 1}""").Append('\n');
        }

        await UploadAsync("data", "features/fs.jsonl", lines.ToString());

        var start = await Client.PostJsonAsync("feature-sets/fs-jsonl/versions/1/materialisations", """{"source": "data/features/fs.jsonl", "chunk_rows": 100}""");
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Failed", status.ToString());
        var error = status.GetProperty("error").GetString()!;
        Assert.Contains("1 of 3 chunk(s) of 'data/features/fs.jsonl'", error, StringComparison.Ordinal);
        Assert.Contains("column 'f1'", error, StringComparison.Ordinal);
        Assert.Equal("refused", status.GetProperty("custom_status").GetProperty("stage").GetString());
        var table = new TableClient(_stack.ConnectionString, AppStorageNames.FeatureOnlineTable);
        Assert.Equal(7.0, (await table.GetEntityAsync<TableEntity>("j7", "fs-jsonl@1")).Value.GetDouble("v0"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("j299", "fs-jsonl@1")).HasValue);
    }

    [Fact]
    public async Task Materialisation_WhatTheStartCanKnow_IsRefused()
    {
        await PutAsync("feature-sets/fs-mat-door/versions/1", Set);

        var undeclared = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/9/materialisations", "{}");
        var backwards = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/1/materialisations", """{"from": "2026-02-01", "to": "2026-01-01"}""");
        var unknown = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/1/materialisations", """{"sauce": "anything"}""");
        var parallel = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/1/materialisations", """{"max_parallelism": 1000}""");
        await UploadAsync("data", "features/no-time.csv", "customer_id,f1\nc1,1\n");
        await UploadAsync("data", "features/extra.csv", "customer_id,event_time,f1,secret_column\nc1,2026-01-01T00:00:00Z,1,2\n");
        var noTime = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/1/materialisations", """{"source": "data/features/no-time.csv"}""");
        var extra = await Client.PostJsonAsync("feature-sets/fs-mat-door/versions/1/materialisations", """{"source": "data/features/extra.csv"}""");

        Assert.Equal(HttpStatusCode.NotFound, undeclared.Status);
        Assert.Equal((HttpStatusCode.BadRequest, true), (backwards.Status, backwards.Error.Contains("'from'", StringComparison.Ordinal)));
        Assert.Equal((HttpStatusCode.BadRequest, true), (unknown.Status, unknown.Error.Contains("sauce", StringComparison.Ordinal)));
        Assert.Equal((HttpStatusCode.BadRequest, true), (parallel.Status, parallel.Error.Contains("'max_parallelism'", StringComparison.Ordinal)));
        Assert.Equal((HttpStatusCode.BadRequest, true), (noTime.Status, noTime.Error.Contains("has no column 'event_time'", StringComparison.Ordinal)));
        Assert.Equal((HttpStatusCode.BadRequest, true), (extra.Status, extra.Error.Contains("'secret_column' is not a column of feature set 'fs-mat-door@1'", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task BatchScoring_WithOnlyEntityKeys_EqualsOnlinePredictionsRowByRow_AndListsUnjoinableRows()
    {
        const string model = "fs-batch";
        await PutAsync("feature-sets/fs-batch/versions/1", Set);
        var time = Time(DateTimeOffset.UtcNow.AddMinutes(-5));
        var rows = string.Join(",", Enumerable.Range(0, 300).Select(k =>
            $$"""{"customer_id": "b{{k}}", "event_time": "{{time}}", "f1": {{Number(Math.Sin(k))}}, "f2": {{Number(Math.Cos(k * 0.7))}}}"""));
        Assert.Equal(HttpStatusCode.OK, (await Client.PostJsonAsync("feature-sets/fs-batch/versions/1/rows", $$"""{"rows": [{{rows}}]}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        var manifest = JsonNode.Parse(ReferenceManifests.LogisticRegression(features: 3))!.AsObject();
        manifest["feature_sets"] = JsonNode.Parse("""[{"name": "fs-batch", "version": "1", "features": ["f1", "f2"]}]""");
        Assert.Equal(HttpStatusCode.Created, (await Client.PutJsonAsync($"models/{model}/versions/1/manifest", manifest.ToJsonString())).Status);
        var csv = new StringBuilder("customer_id,f0,f1\n");
        for (var k = 0; k < 300; k++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"b{k},{Number(k % 7 * 0.3)},{(k % 10 == 0 ? "9" : "")}\n");
        }

        csv.Append("nobody,1,\n");
        await UploadAsync("data", "features/keys.csv", csv.ToString());

        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", $$"""
            {"input": "data/features/keys.csv", "model": "{{model}}", "output": "scores/features/run", "id_column": "customer_id", "chunk_rows": 100, "merge": true}
            """);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var status = await WaitAsync(start.Json.GetProperty("id").GetString()!);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        Assert.Equal((301L, 300L, 1L), (status.GetProperty("output").GetProperty("rows_in").GetInt64(), status.GetProperty("output").GetProperty("rows_out").GetInt64(),
            status.GetProperty("output").GetProperty("bad_rows").GetInt64()));
        var merged = (await new BlobContainerClient(_stack.ConnectionString, "scores").GetBlobClient("features/run/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var lines = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var probability = Array.IndexOf(lines[0].Split(','), "probability");
        var batch = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => double.Parse(f[probability], CultureInfo.InvariantCulture));
        var instances = string.Join(",", Enumerable.Range(0, 300).Select(k =>
            $$"""{"customer_id": "b{{k}}", "f0": {{Number(k % 7 * 0.3)}}{{(k % 10 == 0 ? ", \"f1\": 9" : "")}}}"""));
        var online = await Client.PostJsonAsync($"models/{model}/versions/1/predict", $$"""{"instances": [{{instances}}]}""");
        Assert.Equal(HttpStatusCode.OK, online.Status);
        for (var k = 0; k < 300; k++)
        {
            Assert.Equal((float)online.Json.GetProperty("predictions")[k].GetProperty("probability").GetDouble(), (float)batch[$"b{k}"]);
        }

        var listed = await ErrorsAsync("features/run/errors/");
        var error = Assert.Single(listed);
        Assert.Equal(("nobody", 301L), (error.GetProperty("id").GetString(), error.GetProperty("row").GetInt64()));
        Assert.Contains("holds no value for this row's key", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> ErrorsAsync(string prefix)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "scores");
        var errors = new List<JsonElement>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, default))
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            errors.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()));
        }

        return errors;
    }

    private Task<JsonElement> WaitAsync(string instanceId, List<JsonElement>? progress = null) =>
        OrchestrationPolling.WaitAsync(Client, instanceId, TimeSpan.FromMinutes(4), progress);

    private Task UploadAsync(string container, string name, string content) =>
        OrchestrationPolling.UploadAsync(_stack.ConnectionString, container, name, content);

    private async Task PutAsync(string path, string json)
    {
        var answer = await Client.PutJsonAsync(path, json);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, answer.Body?.ToString());
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
