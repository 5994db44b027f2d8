using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks.Support;

/// <summary>
/// The target of the attack suite: Azurite and the runner in its own process with keys required, holding one
/// served model (<see cref="Model"/>, with a manifest, aliased production). <see cref="Client"/> holds the key an
/// inference client is given; <see cref="Operator"/> the operator's.
/// </summary>
public sealed class AttackFixture : IAsyncLifetime
{
    public const string ClientKey = "attack-suite-client-key";
    public const string OperatorKey = "attack-suite-operator-key";
    public const string Model = "victim";
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public RunnerProcess Runner { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public HttpClient Operator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await StackFixture.StartAzuriteAsync();
        var port = AzuriteProcess.FreePort();
        Runner = RunnerProcess.Start(port, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = ConnectionString,
            ["Serving__MaxRequestBodyBytes"] = MaxRequestBodyBytes.ToString(),
            ["Serving__ResolutionCacheSeconds"] = "0",
            // Once a year: the hourly timer must not write reports in the middle of a test.
            ["MonitoringSchedule"] = "0 0 0 1 1 *",
            ["RolloutSchedule"] = "0 0 0 1 1 *",
            ["Mlflow__MaxArtifactBytes"] = MaxArtifactBytes.ToString(),
        }, "--quiet", "--function-key", ClientKey, "--master-key", OperatorKey);
        Client = NewClient(port, ClientKey);
        Operator = NewClient(port, OperatorKey);
        await Runner.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));

        Expect(await Operator.PutBytesAsync($"models/{Model}/versions/1", ReferenceModels.LogisticRegression(features: 3)), HttpStatusCode.Created);
        Expect(await Operator.PutJsonAsync($"models/{Model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3)), HttpStatusCode.Created);
        Expect(await Operator.PutJsonAsync($"models/{Model}/aliases/production", """{"version": "1"}"""), HttpStatusCode.OK);
        await UploadAsync("data", InputCsv, Encoding.UTF8.GetBytes("id,f0,f1,f2\n1,0.5,1,2\n2,1.5,0,2\n"));
        await UploadAsync("training", "attack/train.csv", Encoding.UTF8.GetBytes("f0,y\n1,0\n2,1\n3,0\n4,1\n"));

        var experiment = await Operator.PostJsonAsync("2.0/mlflow/experiments/create", """{"name": "attack"}""");
        Expect(experiment, HttpStatusCode.OK);
        var run = await Operator.PostJsonAsync("2.0/mlflow/runs/create", $$"""{"experiment_id": "{{experiment.Json.GetProperty("experiment_id").GetString()}}"}""");
        Expect(run, HttpStatusCode.OK);
        MlflowRunId = run.Json.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        MlflowArtifactRoot = run.Json.GetProperty("run").GetProperty("info").GetProperty("artifact_uri").GetString()!["mlflow-artifacts:/".Length..];
        Expect(await Operator.PutBytesAsync($"2.0/mlflow-artifacts/artifacts/{MlflowArtifactRoot}/seed.txt", [1]), HttpStatusCode.OK);
    }

    /// <summary>Mlflow:MaxArtifactBytes of the runner under attack.</summary>
    public const long MaxArtifactBytes = 1024 * 1024;

    /// <summary>An MLflow run (with one artifact) set up before the attacks.</summary>
    public string MlflowRunId { get; private set; } = string.Empty;

    /// <summary>The run's artifact root under the proxied artifact API ({experiment}/{run}/artifacts).</summary>
    public string MlflowArtifactRoot { get; private set; } = string.Empty;

    /// <summary>A small CSV in the data container, scored by <see cref="Model"/>.</summary>
    public const string InputCsv = "attack/in.csv";

    public async Task UploadAsync(string container, string name, byte[] content)
    {
        var client = new BlobServiceClient(ConnectionString).GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Operator?.Dispose();
        if (Runner is not null)
        {
            await Runner.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>A normal client request, which must still be answered after any attack.</summary>
    public async Task AssertServesNormallyAsync()
    {
        Assert.False(Runner.HasExited, "the runner exited:\n" + Runner.Output);
        var answer = await Client.PostJsonAsync($"models/{Model}/predict", """{"instances": [{"f0": 1, "f1": 2, "f2": 3}]}""");
        Assert.True(answer.Status == HttpStatusCode.OK, $"a normal predict after the attack answered {(int)answer.Status}: {answer.Body}");
    }

    private static HttpClient NewClient(int port, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }

    private static void Expect(JsonAnswer answer, HttpStatusCode status) =>
        Assert.True(answer.Status == status, $"set-up step answered {(int)answer.Status}: {answer.Body}");
}

[CollectionDefinition(Name)]
public sealed class AttackCollection : ICollectionFixture<AttackFixture>
{
    public const string Name = "Attack suite: the runner in its own process";
}
