using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Monitoring.Logging;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The feature store through the local runner over HTTP, against Azurite: declared sets, rows written as JSON and CSV, predictions
/// that send only the entity key, TTL expiry, out-of-order writes, the history and the inference log of the values served.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FeatureStoreTests
{
    private const string Set = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 3600}""";

    private readonly StackFixture _stack;

    public FeatureStoreTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task PredictWithOnlyTheEntityKey_EqualsPredictWithTheFullRow_AndTheLogHoldsTheServedValues()
    {
        const string model = "fs-lr";
        await PutAsync("feature-sets/fs-customers/versions/1", Set);
        await RegisterAsync(model, "1", ReferenceManifests.LogisticRegression(features: 3));
        await RegisterAsync(model, "2", Manifest("fs-customers"));
        var now = DateTimeOffset.UtcNow;
        var written = await Client.PostJsonAsync("feature-sets/fs-customers/versions/1/rows", $$"""
            {"rows": [{"customer_id": "c1", "event_time": "{{Time(now.AddMinutes(-5))}}", "f1": 0.5, "f2": -1.25},
                      {"customer_id": 42, "event_time": "{{Time(now.AddMinutes(-5))}}", "f1": 2, "f2": 0.75}]}
            """);
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);

        var full = await Client.PostJsonAsync($"models/{model}/versions/1/predict", """{"instances": [{"f0": 1.5, "f1": 0.5, "f2": -1.25}, {"f0": -2, "f1": 2, "f2": 0.75}]}""");
        var joined = await Client.SendAsync(HttpMethod.Post, $"models/{model}/versions/2/predict?feature_status=true",
            new StringContent("""{"instances": [{"f0": 1.5, "customer_id": "c1"}, {"f0": -2, "customer_id": "42"}]}""", Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { [RequestIds.HeaderName] = "fs-joined" });

        Assert.Equal(HttpStatusCode.OK, written.Status);
        Assert.Equal((2, 2, 4), (written.Json.GetProperty("rows").GetInt32(), written.Json.GetProperty("keys").GetInt32(), written.Json.GetProperty("values_updated").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, joined.Status);
        Assert.Equal(full.Json.GetProperty("predictions").GetRawText(), joined.Json.GetProperty("predictions").GetRawText());
        Assert.Equal("""[{"f1":"present","f2":"present"},{"f1":"present","f2":"present"}]""", joined.Json.GetProperty("feature_status").GetRawText());

        var logged = await WaitForRecordsAsync(model, from, "fs-joined", expected: 2);
        Assert.Equal([1.5, 0.5, -1.25], new[] { "f0", "f1", "f2" }.Select(f => logged[0].Features[f].GetDouble()));
        Assert.Equal([-2.0, 2, 0.75], new[] { "f0", "f1", "f2" }.Select(f => logged[1].Features[f].GetDouble()));
    }

    [Fact]
    public async Task ValuePastItsTtl_IsRefusedNamingTheFeature_OrServedAsMissingWhereAllowed()
    {
        const string model = "fs-ttl";
        await PutAsync("feature-sets/fs-ttl/versions/1", Set);
        await RegisterAsync(model, "1", Manifest("fs-ttl"));
        await RegisterAsync(model, "2", Manifest("fs-ttl", allowMissing: true));
        var now = DateTimeOffset.UtcNow;
        var written = await Client.PostJsonAsync("feature-sets/fs-ttl/versions/1/rows", $$"""
            {"rows": [{"customer_id": "c1", "event_time": "{{Time(now.AddMinutes(-5))}}", "f1": 1},
                      {"customer_id": "c1", "event_time": "{{Time(now.AddHours(-2))}}", "f2": 3}]}
            """);

        var refused = await Client.PostJsonAsync($"models/{model}/versions/1/predict", """{"instances": [{"f0": 1, "customer_id": "c1"}]}""");
        var served = await Client.PostJsonAsync($"models/{model}/versions/2/predict?feature_status=true", """{"instances": [{"f0": 1, "customer_id": "c1"}, {"f0": 1, "customer_id": "nobody", "f1": 1}]}""");

        Assert.Equal(HttpStatusCode.OK, written.Status);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("row 0, feature 'f2': expired in feature set 'fs-ttl@1'", refused.Error);
        Assert.Equal(HttpStatusCode.OK, served.Status);
        Assert.Equal("""[{"f1":"present","f2":"expired"},{"f1":"request","f2":"missing"}]""", served.Json.GetProperty("feature_status").GetRawText());
    }

    [Fact]
    public async Task OutOfOrderWrites_KeepTheNewestValue_AndTheHistoryKeepsEveryRow()
    {
        const string model = "fs-order";
        await PutAsync("feature-sets/fs-order/versions/1", Set);
        await RegisterAsync(model, "1", Manifest("fs-order"));
        await RegisterAsync(model, "2", ReferenceManifests.LogisticRegression(features: 3));
        var now = DateTimeOffset.UtcNow;

        var newer = await Client.PostJsonAsync("feature-sets/fs-order/versions/1/rows",
            $$"""{"rows": [{"customer_id": "c1", "event_time": "{{Time(now.AddMinutes(-1))}}", "f1": 0.25, "f2": 0.5}]}""");
        var older = await PostCsvAsync("feature-sets/fs-order/versions/1/rows", $"customer_id,event_time,f1,f2\nc1,{Time(now.AddMinutes(-30))},9,9\n");
        var again = await PostCsvAsync("feature-sets/fs-order/versions/1/rows", $"customer_id,event_time,f1,f2\nc1,{Time(now.AddMinutes(-30))},9,9\n");
        var joined = await Client.PostJsonAsync($"models/{model}/versions/1/predict", """{"instances": [{"f0": 1, "customer_id": "c1"}]}""");
        var full = await Client.PostJsonAsync($"models/{model}/versions/2/predict", """{"instances": [{"f0": 1, "f1": 0.25, "f2": 0.5}]}""");

        Assert.Equal(HttpStatusCode.OK, older.Status);
        Assert.Equal((0, 2), (older.Json.GetProperty("values_updated").GetInt32(), older.Json.GetProperty("values_kept").GetInt32()));
        Assert.Equal(older.Json.GetProperty("history_blobs").GetRawText(), again.Json.GetProperty("history_blobs").GetRawText());
        Assert.Equal(full.Json.GetProperty("predictions").GetRawText(), joined.Json.GetProperty("predictions").GetRawText());

        var history = new BlobServiceClient(_stack.ConnectionString).GetBlobContainerClient("featurehistory");
        var lines = new List<string>();
        await foreach (var blob in history.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "fs-order/1/", default))
        {
            Assert.Matches(@"^fs-order/1/event_date=\d{4}-\d{2}-\d{2}/[0-9a-f]{64}\.jsonl$", blob.Name);
            lines.AddRange((await history.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => JsonNode.Parse(l)!["f1"]!.GetValue<double>() == 9 && JsonNode.Parse(l)!["ingested_at"] is not null);
        Assert.Equal(HttpStatusCode.OK, newer.Status);
    }

    [Fact]
    public async Task Declarations_AreImmutableVersions_AndManifestsNamingUndeclaredSetsAreRefused()
    {
        var created = await Client.PutJsonAsync("feature-sets/fs-decl/versions/1", Set);
        var same = await Client.PutJsonAsync("feature-sets/fs-decl/versions/1", Set.Replace(", ", ",\n  ", StringComparison.Ordinal));
        var other = await Client.PutJsonAsync("feature-sets/fs-decl/versions/1", Set.Replace("3600", "60", StringComparison.Ordinal));
        var read = await Client.GetJsonAsync("feature-sets/fs-decl/versions/1");
        var listed = await Client.GetJsonAsync("feature-sets/fs-decl/versions");
        await Client.PutBytesAsync("models/fs-undeclared/versions/1", ReferenceModels.LogisticRegression(features: 3));
        var manifest = await Client.PutJsonAsync("models/fs-undeclared/versions/1/manifest", Manifest("fs-nobody"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Equal(HttpStatusCode.Conflict, other.Status);
        Assert.Equal(3600, read.Json.GetProperty("ttl_seconds").GetInt32());
        Assert.Equal(created.Json.GetProperty("sha256").GetString(), read.Json.GetProperty("sha256").GetString());
        Assert.Equal(1, listed.Json.GetProperty("versions").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, manifest.Status);
        Assert.Contains("feature_sets[0]", manifest.Error);
    }

    /// <summary>The 3-feature logistic regression's manifest with f1 and f2 from <paramref name="set"/> version 1.</summary>
    private static string Manifest(string set, bool allowMissing = false)
    {
        var manifest = JsonNode.Parse(ReferenceManifests.LogisticRegression(features: 3))!.AsObject();
        if (allowMissing)
        {
            manifest["features"]![2]!["allow_missing"] = true;
        }

        manifest["feature_sets"] = JsonNode.Parse($$"""[{"name": "{{set}}", "version": "1", "features": ["f1", "f2"]}]""");
        return manifest.ToJsonString();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private Task<JsonAnswer> PostCsvAsync(string path, string csv) =>
        Client.SendAsync(HttpMethod.Post, path, new StringContent(csv, Encoding.UTF8, "text/csv"));

    private async Task<List<InferenceLogRecord>> WaitForRecordsAsync(string model, DateTimeOffset from, string requestId, int expected)
    {
        var reader = _stack.Host.Services.GetRequiredService<InferenceLogReader>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var records = new List<InferenceLogRecord>();
            await foreach (var record in reader.ReadAsync(model, from, DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                if (record.RequestId == requestId)
                {
                    records.Add(record);
                }
            }

            if (records.Count >= expected)
            {
                return records.OrderBy(r => r.Row).ToList();
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {records.Count} of {expected} records were logged");
            await Task.Delay(200);
        }
    }

    private async Task RegisterAsync(string name, string version, string manifest)
    {
        var model = await Client.PutBytesAsync($"models/{name}/versions/{version}", ReferenceModels.LogisticRegression(features: 3));
        Assert.True(model.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {model.Status} {model.Body}");
        await PutAsync($"models/{name}/versions/{version}/manifest", manifest);
    }

    private async Task PutAsync(string path, string json)
    {
        var answer = await Client.PutJsonAsync(path, json);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK,
            string.Create(CultureInfo.InvariantCulture, $"PUT {path} failed: {answer.Status} {answer.Body}"));
    }
}
