using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Training.Tracking;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The quotas an operator sets on sweeps, through a runner configured with small ones (Training:MaxConcurrentSweeps 1,
/// Training:MaxDatasetBytes 64 KiB) on the shared Azurite; a retraining run counts against the sweep quota too.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class SweepQuotaEndToEndTests
{
    private readonly StackFixture _stack;

    public SweepQuotaEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task Quotas_SweepOrRetrainingRunOverTheConcurrentQuotaIs409_DatasetOverTheSizeCapIs400_AndNoneStarts()
    {
        var options = _stack.RunnerOptions();
        var settings = new Dictionary<string, string?>(options.Settings!)
        {
            ["Training:MaxConcurrentSweeps"] = "1",
            ["Training:MaxDatasetBytes"] = (64 * 1024).ToString(),
        };
        await using var host = await LocalFunctionHost.StartAsync(options with { Settings = settings });
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
        await StackFixture.WaitUntilReadyAsync(client);
        var model = "quota-" + Guid.NewGuid().ToString("N")[..6];
        await UploadAsync($"{model}-small.csv", ReferenceDatasets.ChurnCsv(300, seed: 5));
        await UploadAsync($"{model}-large.csv", ReferenceDatasets.ChurnCsv(3_000, seed: 5));
        var experiments = new ExperimentStore(new TableServiceClient(_stack.ConnectionString));
        var running = new SweepRecord
        {
            SweepId = $"sweep-{model}-running", Status = SweepRecord.Starting, ModelName = model, Dataset = "training/x.csv", Target = "churned",
            Task = "binary", Metric = "auc", CreatedUtc = DateTimeOffset.UtcNow,
        };
        await experiments.SaveSweepAsync(running, CancellationToken.None);
        try
        {
            var refused = await client.PostJsonAsync("orchestrations/training-sweeps", Body(model, "small"));
            var tooLarge = await client.PostJsonAsync("orchestrations/training-sweeps", Body(model, "large"));
            Assert.Equal(HttpStatusCode.Created, (await client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3, seed: 1))).Status);
            var policy = await client.PutJsonAsync($"models/{model}/retraining",
                """{"triggers":["manual"],"data":{"source":"traffic"},"sweep":{"target":"churned","task":"binary","algorithms":[{"name":"sdca"}],"metric":"auc"}}""");
            var retraining = await client.PostJsonAsync($"models/{model}/retraining/runs", "");

            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Contains("at most 1 may run at once (Training:MaxConcurrentSweeps)", refused.Error);
            Assert.Equal(HttpStatusCode.BadRequest, tooLarge.Status);
            Assert.Contains("(Training:MaxDatasetBytes)", tooLarge.Error);
            Assert.True(policy.Status == HttpStatusCode.Created, policy.Body.ToString());
            Assert.Equal(HttpStatusCode.Conflict, retraining.Status);
            Assert.Contains("at most 1 may run at once (Training:MaxConcurrentSweeps)", retraining.Error);
            Assert.Empty((await client.GetJsonAsync($"models/{model}/retraining/runs")).Json.GetProperty("runs").EnumerateArray());
            var active = await experiments.ListActiveSweepsAsync(CancellationToken.None);
            Assert.DoesNotContain(active, s => s.ModelName == model && s.SweepId != running.SweepId);
        }
        finally
        {
            await experiments.DeleteSweepAsync(running.SweepId, CancellationToken.None);
        }

        // With the slot free again the same request starts.
        var started = await client.PostJsonAsync("orchestrations/training-sweeps", Body(model, "small"));
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        await client.PostJsonAsync($"orchestrations/{started.Json.GetProperty("id").GetString()}/terminate", "");
    }

    private static string Body(string model, string size) => $$$"""
        {"dataset":"training/{{{model}}}-{{{size}}}.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
         "algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"{{{model}}}"}
        """;

    private async Task UploadAsync(string name, string content)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "training");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }
}
