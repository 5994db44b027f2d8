using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Functions.Orchestrations;

namespace Serverless.Tests.Orchestrations;

public sealed class BatchScoringRequestReaderTests
{
    [Fact]
    public void Read_DataContainers_NormalisesTheOutputFolder()
    {
        var request = Read("data/customers.csv", "scores/run-42/");

        Assert.Equal(("data/customers.csv", "scores/run-42"), (request.Input, request.Output));
    }

    [Theory]
    [InlineData("scores/run/in.csv", "scores/run")]
    [InlineData("scores/run/parts/part-00000.csv", "scores/run/")]
    [InlineData("scores/run/predictions.csv", "scores/run")]
    [InlineData("scores/in.csv", "scores")]
    public void Read_InputUnderTheOutput_IsBadRequest(string input, string output)
    {
        var error = Assert.Throws<ServingException>(() => Read(input, output));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("lies under 'output'", error.Message);
    }

    [Theory]
    [InlineData("scores/run.csv", "scores/run")]
    [InlineData("scores/run-1/in.csv", "scores/run")]
    [InlineData("data/run/in.csv", "scores/run")]
    public void Read_InputBesideTheOutput_IsAccepted(string input, string output)
    {
        Assert.Equal(input, Read(input, output).Input);
    }

    [Theory]
    [InlineData("models/churn/1/manifest.json", "scores/run", "'input' names container 'models'")]
    [InlineData("azure-webjobs-hosts/locks/x.csv", "scores/run", "'input' names container 'azure-webjobs-hosts'")]
    [InlineData("data/x.csv", "models/churn/1", "'output' names container 'models'")]
    [InlineData("data/x.csv", "monitoring", "'output' names container 'monitoring'")]
    [InlineData("data/x.csv", "scores/../models", "'output' has a '.' or '..' path segment")]
    public void Read_AppContainer_IsBadRequestNamingTheField(string input, string output, string expected)
    {
        var error = Assert.Throws<ServingException>(() => Read(input, output));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_ConfiguredDataContainers_AreTheOnlyOnesAllowed()
    {
        var containers = new DataContainers(["batch-input", "batch-output"]);

        Assert.Equal("batch-input/x.csv", Read("batch-input/x.csv", "batch-output/run", containers).Input);
        Assert.Contains("batch-input, batch-output", Assert.Throws<ServingException>(() => Read("data/x.csv", "batch-output/run", containers)).Message);
    }

    private static Serverless.Orchestrations.BatchScoring.BatchScoringRequest Read(string input, string output, DataContainers? containers = null) =>
        BatchScoringRequestReader.Read(Encoding.UTF8.GetBytes($$"""{"input":"{{input}}","model":"churn","output":"{{output}}"}"""), containers ?? DataContainers.Default);
}
