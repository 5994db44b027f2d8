using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Tabular.Steps.Examples;

/// <summary>
/// An example code post step, <c>{"kind": "code", "step": "confidence_band"}</c>: annotates each classified row with how
/// sure the answer is, from the probability answered with its label: <c>confidence: low</c> below 0.6,
/// <c>confidence: high</c> from 0.9, else <c>confidence: medium</c>. Needs a classification manifest with
/// <c>outputs.probability</c>. Stateless; thread-safe; allocates nothing per row (the annotations are constants).
/// </summary>
public sealed class ConfidenceBandStep : ITabularPostStep
{
    public const string StepName = "confidence_band";
    public const string Low = "confidence: low";
    public const string Medium = "confidence: medium";
    public const string High = "confidence: high";

    public string Name => StepName;

    public void Check(ModelManifest manifest, string field)
    {
        if (manifest.Task == TabularTask.Regression || manifest.Outputs.Probability is null)
        {
            throw ServingException.BadRequest($"Manifest field '{field}': code step '{StepName}' needs a classification task with 'outputs.probability'.");
        }
    }

    public void Apply(TabularRow row, PredictionDecision decision)
    {
        if (decision.Probability is { } probability)
        {
            decision.Annotate(probability < 0.6 ? Low : probability >= 0.9 ? High : Medium);
        }
    }
}
