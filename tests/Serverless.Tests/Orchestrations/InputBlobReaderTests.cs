using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// Defence in depth: an orchestration input that names an app container (replayed from history, or written by hand)
/// is refused by the activities' blob reader before any storage call.
/// </summary>
public sealed class InputBlobReaderTests
{
    // No storage behind this endpoint: a test that reached storage would fail with a connection error, not a ServingException.
    private static readonly BlobServiceClient Unreachable = new(new Uri("http://127.0.0.1:9/devstoreaccount1"));

    private readonly InputBlobReader _reader = new(Unreachable, DataContainers.Default);

    [Theory]
    [InlineData("models/churn/1/manifest.json")]
    [InlineData("azure-webjobs-hosts/locks/x")]
    [InlineData("sweeps/s1/data/train.csv")]
    [InlineData("data/../models/x")]
    public async Task ReadAndWrite_AppContainerOrTraversal_IsRefusedBeforeAnyStorageCall(string path)
    {
        Assert.Equal(ServingErrorKind.BadRequest, Assert.Throws<ServingException>(() => _reader.Blob(path)).Kind);
        Assert.Equal(ServingErrorKind.BadRequest, (await Assert.ThrowsAsync<ServingException>(() => _reader.OutputBlobAsync(path))).Kind);
        await Assert.ThrowsAsync<ServingException>(() => _reader.ReadAsync(path, 0, 10, CancellationToken.None));
    }

    [Fact]
    public void Blob_DataContainer_IsTheBlobItNames()
    {
        var blob = _reader.Blob("data/in/customers.csv");

        Assert.Equal(("data", "in/customers.csv"), (blob.BlobContainerName, blob.Name));
    }

    [Theory]
    [InlineData("models/x.csv", "scores/run", "'input' names container 'models'")]
    [InlineData("data/x.csv", "models/churn", "'output' names container 'models'")]
    [InlineData("scores/run/in.csv", "scores/run", "lies under 'output'")]
    public async Task Plan_ReplayedInputOutsideTheRules_FailsBeforeResolvingOrReading(string input, string output, string expected)
    {
        var registry = new Mock<IModelRegistry>(MockBehavior.Strict);
        var resolver = new ModelResolver(registry.Object, Options.Create(new ServingOptions()), TimeProvider.System);
        var plan = new PlanBatchActivity(_reader, registry.Object, resolver);
        var request = new BatchScoringRequest { Input = input, Model = "churn", Output = output };

        var error = await Assert.ThrowsAsync<ServingException>(() => plan.RunAsync(Mock.Of<TaskActivityContext>(), request));

        Assert.Contains(expected, error.Message);
    }
}
