using System.Globalization;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Training on the feature store through the local runner over HTTP, against Azurite, trials run by the built-in trainer: a sweep joins a
/// feature set point in time on a crafted timeline where the latest value would leak the label's future, learns from the values as they
/// were, and registers a model whose manifest names the set, so the version serves from the entity key alone.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FeatureStoreTrainingTests
{
    private const int Customers = 600;

    private readonly StackFixture _stack;

    public FeatureStoreTrainingTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Sweep_OnAPointInTimeJoin_LearnsFromValuesAsTheyWere_AndRegistersAModelThatServesFromTheEntityKey()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (set, model) = ($"fs-train-{suffix}", $"fs-trained-{suffix}");
        var declared = await Client.PutJsonAsync($"feature-sets/{set}/versions/1",
            """{"entity_keys": ["customer_id"], "features": [{"name": "score", "type": "numeric"}], "ttl_seconds": 2592000}""");
        Assert.Equal(HttpStatusCode.Created, declared.Status);

        // The timeline: each customer's score at day 1 says its label; at day 5 it is replaced by a value unrelated to the label.
        // Training rows are timed at day 3: a point-in-time join gives the day-1 value, a latest-value join the day-5 one.
        var day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-20);
        await WriteAsync(set, day.AddDays(1), Old);
        await WriteAsync(set, day.AddDays(5), New);
        var dataset = new StringBuilder("customer_id,event_time,churned\n");
        for (var k = 0; k < Customers; k++)
        {
            dataset.Append(CultureInfo.InvariantCulture, $"s{k},{Time(day.AddDays(3).AddMinutes(k))},{Label(k)}\n");
        }

        await OrchestrationPolling.UploadAsync(_stack.ConnectionString, "training", $"{model}.csv", dataset.ToString());

        var sweep = await OrchestrationPolling.StartAndWaitAsync(Client, "orchestrations/training-sweeps", $$"""
            {"dataset": "training/{{model}}.csv", "target": "churned", "task": "binary",
             "feature_sets": [{"name": "{{set}}", "version": "1"}], "event_time_column": "event_time",
             "algorithms": [{"name": "lbfgs"}], "metric": "auc", "model_name": "{{model}}", "seed": 7}
            """, TimeSpan.FromMinutes(5));

        Assert.True(sweep.GetProperty("runtime_status").GetString() == "Completed", sweep.ToString());
        var output = sweep.GetProperty("output");
        Assert.True(output.GetProperty("best_value").GetDouble() > 0.99, output.ToString());
        var sweeps = new BlobContainerClient(_stack.ConnectionString, "sweeps");
        var train = (await sweeps.GetBlobClient($"{sweep.GetProperty("instance_id").GetString()}/data/train.csv").DownloadContentAsync()).Value.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = train[0].Split(',');
        var (keyColumn, scoreColumn) = (Array.IndexOf(header, "customer_id"), Array.IndexOf(header, "score"));
        Assert.All(train.Skip(1).Select(l => l.Split(',')), cells =>
            Assert.Equal(Old(int.Parse(cells[keyColumn][1..], CultureInfo.InvariantCulture)), double.Parse(cells[scoreColumn], CultureInfo.InvariantCulture)));

        var version = output.GetProperty("registered_version").GetString();
        var manifest = await Client.GetJsonAsync($"models/{model}/versions/{version}/manifest");
        Assert.Equal($$"""[{"name":"{{set}}","version":"1","features":["score"]}]""", manifest.Json.GetProperty("feature_sets").GetRawText());
        var keyOnly = await Client.PostJsonAsync($"models/{model}/versions/{version}/predict?feature_status=true",
            """{"instances": [{"customer_id": "s5"}, {"customer_id": "s8"}]}""");
        var fullRow = await Client.PostJsonAsync($"models/{model}/versions/{version}/predict",
            $$"""{"instances": [{"customer_id": "s5", "score": {{Number(New(5))}}}, {"customer_id": "s8", "score": {{Number(New(8))}}}]}""");
        Assert.Equal(HttpStatusCode.OK, keyOnly.Status);
        Assert.Equal(fullRow.Json.GetProperty("predictions").GetRawText(), keyOnly.Json.GetProperty("predictions").GetRawText());
        Assert.Equal("""[{"score":"present"},{"score":"present"}]""", keyOnly.Json.GetProperty("feature_status").GetRawText());
    }

    private static int Label(int k) => k % 2;

    private static double Old(int k) => (Label(k) == 1 ? 1 : -1) * (1 + (k % 7 * 0.125));

    private static double New(int k) => ((k * 37 % 11) - 5) * 0.25;

    private async Task WriteAsync(string set, DateTimeOffset time, Func<int, double> value)
    {
        var rows = string.Join(",", Enumerable.Range(0, Customers).Select(k =>
            $$"""{"customer_id": "s{{k}}", "event_time": "{{Time(time)}}", "score": {{Number(value(k))}}}"""));
        var written = await Client.PostJsonAsync($"feature-sets/{set}/versions/1/rows", $$"""{"rows": [{{rows}}]}""");
        Assert.True(written.Status == HttpStatusCode.OK, written.Body?.ToString());
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
