using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Monitoring.Logging;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The runner's start-up warm-up sends synthetic requests through its own HTTP pipeline; they are not traffic and
/// must never reach the inference log (the monitor would judge them), while no caller can pass as warm-up.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WarmupTrafficTests
{
    private readonly StackFixture _stack;

    public WarmupTrafficTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task StartupWarmup_IsNotLogged_ButARequestClaimingToBeWarmupIs()
    {
        const string model = "warmup-log";
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        // With a manifest, so the warm-up also sends records to /predict.
        Assert.True((await _stack.Client.PutJsonAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3))).Status
            is HttpStatusCode.Created or HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await _stack.Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""")).Status);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);

        await using (var host = await LocalFunctionHost.StartAsync(_stack.RunnerOptions()))
        {
            using var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
            await StackFixture.WaitUntilReadyAsync(client);
            var claimed = await client.SendAsync(HttpMethod.Post, $"v2/models/{model}/infer",
                new StringContent("""{"id": "claims-warmup", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""",
                    Encoding.UTF8, "application/json"),
                new Dictionary<string, string> { [InferenceLogger.WarmupHeaderName] = "1" });
            Assert.Equal(HttpStatusCode.OK, claimed.Status);
            Assert.NotEqual("1", host.Services.GetRequiredService<InferenceLogger>().WarmupToken);
        }

        // Disposing the runner drained its log writer, so everything it logged is stored now.
        var records = new List<InferenceLogRecord>();
        await foreach (var record in _stack.Host.Services.GetRequiredService<InferenceLogReader>().ReadAsync(model, from, DateTimeOffset.UtcNow.AddMinutes(1)))
        {
            records.Add(record);
        }

        Assert.Equal("claims-warmup", Assert.Single(records).RequestId);
    }
}
