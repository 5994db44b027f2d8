using System.Text;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Core.Training;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

public sealed class EvaluationMetricsTests
{
    private static readonly ModelManifest Manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes("""
        {"task": "binary", "features": [{"name": "x", "type": "numeric"}], "inputs": {"layout": "per_feature"},
         "outputs": {"label": "label", "probability": "probability"}, "class_labels": ["0", "1"]}
        """));

    [Fact]
    public void Compute_PostStepsRenamedTheLabels_MetricsAreTheModelsOwn()
    {
        var input = new EvaluationInput("m", "1", "file:///rows.csv", "target", "binary", null);
        List<string> targets = ["1", "0", "1", "0"];
        var model = new[] { ("1", 0.9), ("0", 0.8), ("1", 0.6), ("0", 0.7) }
            .Select(p => new TabularPrediction { Label = p.Item1, Probability = p.Item2, Classes = ["0", "1"] }).ToList();
        var answered = model.Select(p => p with { Label = p.Label == "1" ? "churn" : "stay", ModelPrediction = p }).ToList();

        var expected = EvaluateModelActivity.Compute(input, Manifest, targets, model);
        var metrics = EvaluateModelActivity.Compute(input, Manifest, targets, answered);

        Assert.Equal(1.0, expected[MetricNames.Auc], 1e-9);
        Assert.Equal(expected, metrics);
    }
}
