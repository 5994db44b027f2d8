using Serverless.Core.Models;
using Serverless.Core.Tabular.Steps.Expressions;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// A manifest's compiled <c>post</c> steps, applied to a batch's predictions in place by <see cref="TabularModel.Decide"/>:
/// a row no step changed keeps the model's prediction object; a changed row gets a new one whose
/// <see cref="TabularPrediction.ModelPrediction"/> is the model's. Post steps cannot fail on a row (expressions are typed
/// when compiled; IEEE arithmetic has no exception). Allocates only for changed rows. Immutable; thread-safe.
/// </summary>
internal sealed class PostStepProgram(PostStep[] steps, TabularTask task)
{
    public void Apply(FeatureBatch batch, TabularPrediction[] predictions)
    {
        var decision = new PredictionDecision(task);
        var rows = Math.Min(batch.RowCount, predictions.Length);
        for (var r = 0; r < rows; r++)
        {
            decision.Reset(predictions[r]);
            foreach (var step in steps)
            {
                step.Apply(batch, r, decision);
            }

            predictions[r] = decision.ToPrediction();
        }
    }
}

/// <summary>One compiled post step.</summary>
internal abstract class PostStep
{
    public abstract void Apply(FeatureBatch batch, int row, PredictionDecision decision);
}

/// <summary>Per segment thresholds on the positive class's probability (binary).</summary>
internal sealed class ThresholdStep(ExpressionNode segment, Dictionary<string, double>? byText, Dictionary<double, double>? byNumber, double fallback) : PostStep
{
    public override void Apply(FeatureBatch batch, int row, PredictionDecision decision)
    {
        if (decision.Model.Scores is not { Count: 2 } scores)
        {
            return;
        }

        var scope = new RowScope(batch, row, decision);
        var threshold = segment.Type switch
        {
            ExpressionType.Number => byNumber!.GetValueOrDefault(segment.Number(scope), fallback),
            ExpressionType.Text => byText!.GetValueOrDefault(segment.Text(scope), fallback),
            _ => byText!.GetValueOrDefault(segment.Boolean(scope) ? "true" : "false", fallback),
        };
        decision.ChooseClass(scores[1] >= threshold ? 1 : 0);
    }
}

internal sealed class RuleStep(string name, ExpressionNode when, string? label, string? annotation) : PostStep
{
    public override void Apply(FeatureBatch batch, int row, PredictionDecision decision)
    {
        if (!when.Boolean(new RowScope(batch, row, decision)))
        {
            return;
        }

        decision.Fired(name);
        if (label is not null)
        {
            decision.SetLabel(label);
        }

        if (annotation is not null)
        {
            decision.Annotate(annotation);
        }
    }
}

internal sealed class LabelMapStep(Dictionary<string, string> map) : PostStep
{
    public override void Apply(FeatureBatch batch, int row, PredictionDecision decision)
    {
        if (decision.Label is { } label && map.TryGetValue(label, out var mapped))
        {
            decision.SetLabel(mapped);
        }
    }
}

internal sealed class CodePostStep(ITabularPostStep step) : PostStep
{
    public override void Apply(FeatureBatch batch, int row, PredictionDecision decision) => step.Apply(new TabularRow(batch, row, writable: false), decision);
}
