using System.Globalization;
using System.Net;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Monitoring.Logging;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>Inference logging through the local runner over HTTP: predictions are written to Table storage (Azurite) off the request path and read back.</summary>
[Collection(StackCollection.Name)]
public sealed class InferenceLoggingTests
{
    private readonly StackFixture _stack;

    public InferenceLoggingTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task PredictAndInfer_AreLoggedPerRowWithFeaturesOutputsVersionAndRequestId()
    {
        const string model = "log-lr";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 3));
        await RegisterAsync(model, "2", ReferenceModels.LogisticRegression(features: 3, seed: 2));
        await PutAsync($"models/{model}/versions/2/manifest", ReferenceManifests.LogisticRegression(features: 3));
        await PutAsync($"models/{model}/aliases/production", """{"version": "2"}""");
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);

        var predict = await SendAsync($"models/{model}/predict",
            """{"instances": [{"f0": 0.5, "f1": -1.25, "f2": 2}, {"f0": 0.1, "f1": 0.2, "f2": -0.3}]}""", "it-predict-1");
        var anonymous = await SendAsync($"models/{model}/predict", """{"instances": [{"f0": 1, "f1": 1, "f2": 1}]}""", null);
        var infer = await SendAsync($"v2/models/{model}/infer",
            """{"id": "it-infer-1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "data": [[0.5, -1.25, 2], [3, 0, -3]]}]}""", "ignored-header");
        var inferByHeader = await SendAsync($"v2/models/{model}/versions/1/infer",
            """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""", "it-infer-header");
        var bad = await SendAsync($"models/{model}/predict", """{"instances": [{"f0": 1, "f1": 1}]}""", "it-bad-1");

        Assert.Equal(HttpStatusCode.OK, predict.Status);
        Assert.Equal("it-predict-1", RequestIdHeader(predict));
        Assert.Matches("^[0-9a-f]{32}$", RequestIdHeader(anonymous));
        Assert.Equal("it-infer-1", RequestIdHeader(infer));
        Assert.Equal("it-infer-1", infer.Json.GetProperty("id").GetString());
        Assert.Equal("it-infer-header", RequestIdHeader(inferByHeader));
        Assert.Equal("it-infer-header", inferByHeader.Json.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("it-bad-1", RequestIdHeader(bad));

        var records = await WaitForRecordsAsync(model, from, expected: 2 + 1 + 2 + 1 + 1);
        var byRequest = records.GroupBy(r => r.RequestId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Row).ToList());

        var predicted = byRequest["it-predict-1"];
        var predictions = predict.Json.GetProperty("predictions");
        Assert.Equal([0, 1], predicted.Select(r => r.Row));
        Assert.All(predicted, r => Assert.Equal(("2", "ok", "predict"), (r.Version, r.Status, r.Source)));
        Assert.Equal([0.5, -1.25, 2.0], new[] { "f0", "f1", "f2" }.Select(f => predicted[0].Features[f].GetDouble()));
        Assert.Equal([0.1, 0.2, -0.3], new[] { "f0", "f1", "f2" }.Select(f => predicted[1].Features[f].GetDouble()));
        for (var row = 0; row < 2; row++)
        {
            Assert.Equal(predictions[row].GetProperty("label").GetRawText(), predicted[row].Label);
            Assert.Equal(predictions[row].GetProperty("probability").GetDouble(), predicted[row].Probability);
            Assert.True(predicted[row].LatencyMs > 0);
        }

        Assert.Equal(1.0, Assert.Single(byRequest[RequestIdHeader(anonymous)]).Features["f2"].GetDouble());

        var inferred = byRequest["it-infer-1"];
        var probabilities = infer.Json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.All(inferred, r => Assert.Equal(("2", "ok", "infer"), (r.Version, r.Status, r.Source)));
        // Version 2 has a manifest: its tensor rows are logged like records rows, under the feature names with the predictions.
        Assert.Equal(["f0", "f1", "f2"], inferred[0].Features.Keys);
        Assert.Equal([3.0, 0.0, -3.0], inferred[1].Features.Values.Select(v => v.GetDouble()));
        Assert.Equal(probabilities.Select(p => p >= 0.5 ? "1" : "0"), inferred.Select(r => r.Label));
        Assert.Equal(probabilities.Select(p => Math.Round(p >= 0.5 ? p : 1 - p, 5)), inferred.Select(r => Math.Round(r.Probability!.Value, 5)));

        var byHeader = Assert.Single(byRequest["it-infer-header"]);
        Assert.Equal("1", byHeader.Version);
        Assert.Equal(["x0", "x1", "x2"], byHeader.Features.Keys);
        Assert.NotNull(byHeader.Value);

        var failure = Assert.Single(byRequest["it-bad-1"]);
        Assert.Equal((-1, "error", "2"), (failure.Row, failure.Status, failure.Version));
        Assert.Contains("'f2': missing", failure.Error);
        Assert.Empty(failure.Features);

        Assert.Equal(records.OrderBy(r => r.TimestampUtc).ThenBy(r => r.Row).Select(r => (r.RequestId, r.Row)), records.Select(r => (r.RequestId, r.Row)));
        var counters = _stack.Host.Services.GetRequiredService<InferenceLogger>().Counters;
        Assert.Equal(0, counters.Dropped);
        Assert.Equal(0, counters.Failed);
    }

    [Fact]
    public async Task Reader_WindowInsideAnHour_ReturnsOnlyThatWindowsRecords()
    {
        const string model = "log-window";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 2));
        await PutAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 2));
        const string body = """{"instances": [{"f0": 1, "f1": 2}]}""";

        await SendAsync($"models/{model}/predict", body, "win-before");
        await Task.Delay(50);
        var from = DateTimeOffset.UtcNow;
        await SendAsync($"models/{model}/predict", body, "win-inside");
        var to = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await SendAsync($"models/{model}/predict", body, "win-after");
        await WaitForRecordsAsync(model, from.AddMinutes(-1), expected: 3);

        var inside = await ReadAsync(model, from, to);
        var unordered = new List<InferenceLogRecord>();
        await foreach (var record in _stack.Host.Services.GetRequiredService<InferenceLogReader>().ReadUnorderedAsync(model, from.AddMinutes(-1), to.AddMinutes(1)))
        {
            unordered.Add(record);
        }

        Assert.Equal("win-inside", Assert.Single(inside).RequestId);
        Assert.Equal(["win-after", "win-before", "win-inside"], unordered.Select(r => r.RequestId).Order());
    }

    [Fact]
    public async Task Reader_RowsStoredOnePerEntityByEarlierBuilds_AreSkippedAndBlocksStillRead()
    {
        const string model = "log-legacy";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 2));
        await PutAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 2));
        var from = DateTimeOffset.UtcNow;
        var tables = new TableServiceClient(_stack.ConnectionString);
        var table = tables.GetTableClient(InferenceLogKeys.TableName("inferencelog", from));
        await table.CreateIfNotExistsAsync();
        for (var shard = 0; shard < 4; shard++)
        {
            await table.AddEntityAsync(new TableEntity(InferenceLogKeys.PartitionKey(model, from, shard), InferenceLogKeys.RowKey(from, "legacy", 0))
            {
                ["RequestId"] = "legacy",
                ["Features"] = """{"f0": 1}""",
            });
        }

        await SendAsync($"models/{model}/predict", """{"instances": [{"f0": 1, "f1": 2}]}""", "after-blocks");

        var record = Assert.Single(await WaitForRecordsAsync(model, from.AddSeconds(-1), expected: 1));
        Assert.Equal("after-blocks", record.RequestId);
    }

    [Fact]
    public async Task Reader_BlocksOfTheEarlierJsonFormat_AreReadBesideColumnarBlocks()
    {
        const string model = "log-json-blocks";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 2));
        await PutAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 2));
        var from = DateTimeOffset.UtcNow;
        var tables = new TableServiceClient(_stack.ConnectionString);
        var table = tables.GetTableClient(InferenceLogKeys.TableName("inferencelog", from));
        await table.CreateIfNotExistsAsync();
        var json = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"id":"stored-as-json","row":0,"ver":"1","t":{{{from.UtcTicks}}},"lat":1.5,"st":"ok","src":"predict","label":"1","p":0.7,"f":{"f0":1,"f1":2.5},"o":{"scores":[0.3,0.7]}}]"""));
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        await table.AddEntityAsync(new TableEntity(InferenceLogKeys.PartitionKey(model, from, 0), Serverless.Core.Monitoring.Logging.Blocks.InferenceLogBlockFormat.RowKey(from, "old", 0))
        {
            ["Model"] = model,
            ["Records"] = 1,
            ["FirstUtc"] = from,
            ["LastUtc"] = from,
            ["Format"] = "json-gzip-1",
            ["Data"] = compressed.ToArray(),
        });

        await SendAsync($"models/{model}/predict", """{"instances": [{"f0": 3, "f1": 4}]}""", "stored-as-columns");
        var records = await WaitForRecordsAsync(model, from.AddSeconds(-1), expected: 2);
        var blocks = new List<InferenceLogColumns>();
        await foreach (var block in _stack.Host.Services.GetRequiredService<InferenceLogReader>().ReadBlocksAsync(model, from.AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(1)))
        {
            blocks.Add(block);
        }

        var formats = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>($"PartitionKey ge '{model}|' and PartitionKey lt '{model}}}'"))
        {
            formats.Add(entity.GetString("Format"));
        }

        Assert.Equal(["stored-as-columns", "stored-as-json"], records.Select(r => r.RequestId).Order());
        Assert.Equal(2.5, records.Single(r => r.RequestId == "stored-as-json").Features["f1"].GetDouble());
        Assert.Equal(4, records.Single(r => r.RequestId == "stored-as-columns").Features["f1"].GetDouble());
        Assert.Equal([2.5, 4], blocks.SelectMany(b => b.Selected.ToArray().Select(r => b.Features.Find("f1")!.Number(r))).Order());
        Assert.Equal(["columns-gzip-1", "json-gzip-1"], formats.Order());
    }

    [Fact]
    public async Task Retention_DeletesMonthlyTablesPastTheRetention()
    {
        var tables = new TableServiceClient(_stack.ConnectionString);
        await tables.CreateTableIfNotExistsAsync("inferencelog200001");
        var current = InferenceLogKeys.TableName("inferencelog", DateTimeOffset.UtcNow);
        await tables.CreateTableIfNotExistsAsync(current);

        var deleted = await _stack.Host.Services.GetRequiredService<InferenceLogRetention>().DeleteExpiredAsync(CancellationToken.None);

        Assert.Contains("inferencelog200001", deleted);
        Assert.DoesNotContain(current, deleted);
        var remaining = new List<string>();
        await foreach (var table in tables.QueryAsync())
        {
            remaining.Add(table.Name);
        }

        Assert.DoesNotContain("inferencelog200001", remaining);
        Assert.Contains(current, remaining);
    }

    private async Task<List<InferenceLogRecord>> WaitForRecordsAsync(string model, DateTimeOffset from, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var records = await ReadAsync(model, from, DateTimeOffset.UtcNow.AddMinutes(1));
            if (records.Count >= expected)
            {
                Assert.Equal(expected, records.Count);
                return records;
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {records.Count} of {expected} records were logged");
            await Task.Delay(200);
        }
    }

    private async Task<List<InferenceLogRecord>> ReadAsync(string model, DateTimeOffset from, DateTimeOffset to)
    {
        var reader = _stack.Host.Services.GetRequiredService<InferenceLogReader>();
        var records = new List<InferenceLogRecord>();
        await foreach (var record in reader.ReadAsync(model, from, to))
        {
            records.Add(record);
        }

        return records;
    }

    private async Task<JsonAnswer> SendAsync(string path, string json, string? requestId)
    {
        var headers = requestId is null ? null : new Dictionary<string, string> { [RequestIds.HeaderName] = requestId };
        return await Client.SendAsync(HttpMethod.Post, path, new StringContent(json, Encoding.UTF8, "application/json"), headers);
    }

    private static string RequestIdHeader(JsonAnswer answer) =>
        answer.Response.Headers.TryGetValues(RequestIds.HeaderName, out var values) ? values.Single() : throw new InvalidOperationException("no x-request-id header");

    private async Task RegisterAsync(string name, string version, byte[] model)
    {
        var answer = await Client.PutBytesAsync($"models/{name}/versions/{version}", model);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    private async Task PutAsync(string path, string json)
    {
        var answer = await Client.PutJsonAsync(path, json);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK,
            string.Create(CultureInfo.InvariantCulture, $"PUT {path} failed: {answer.Status} {answer.Body}"));
    }
}
