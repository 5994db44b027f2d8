using System.Text.Json.Nodes;
using Serverless.Orchestrations.Retraining;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Retraining;

public sealed class RetrainingSweepRequestTests
{
    [Fact]
    public void WithWarmStart_Template_KeepsEveryFieldAndAddsTheChampion()
    {
        const string template = """{"dataset": "training/d.csv", "target": "y", "algorithms": [{"name": "lbfgs"}], "metric": "auc"}""";

        var json = JsonNode.Parse(RetrainingSweepRequest.WithWarmStart(template, new SweepWarmStart("3", "churn")))!.AsObject();

        Assert.Equal(["dataset", "target", "algorithms", "metric", "warm_start_from"], json.Select(p => p.Key));
        Assert.Equal("lbfgs", (string?)json["algorithms"]![0]!["name"]);
        Assert.Equal("3", (string?)json["warm_start_from"]!["version"]);
        Assert.Equal("churn", (string?)json["warm_start_from"]!["model"]);
    }

    [Fact]
    public void WithWarmStart_NotAnObject_IsLeftAsItIs() =>
        Assert.Equal("[1]", RetrainingSweepRequest.WithWarmStart("[1]", new SweepWarmStart("1")));
}
