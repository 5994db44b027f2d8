using Serverless.Core.Tabular.Steps.Expressions;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// A manifest's compiled <c>pre</c> steps. <see cref="FeatureBatch"/> runs them on each row as the row is completed,
/// after the request's own checks (which the steps' targets relax: a derived feature may be left out, a defaulted one
/// missing, a clipped one out of range), then checks the features the steps touched against the manifest (finite, in
/// range, known category, present unless allow_missing). A step's failure or a failed check refuses the row with a row
/// error naming the step, as a bad cell does: the records API answers 400, batch scoring reports the row. Evaluation
/// allocates nothing (texts are the row's or the manifest's strings). Immutable; thread-safe.
/// </summary>
internal sealed class PreStepProgram
{
    private readonly PreStep[] _steps;
    private readonly FeatureRule[] _rules;
    private readonly int[] _checked;
    private readonly string?[] _lastStep;

    public PreStepProgram(PreStep[] steps, FeatureRule[] manifestRules, int[] checkedFeatures, string?[] lastStepOfFeature)
    {
        _steps = steps;
        _rules = manifestRules;
        _checked = checkedFeatures;
        _lastStep = lastStepOfFeature;
    }

    /// <summary>Runs the steps on the row at <paramref name="row"/> (the one being added); a failure rejects it.</summary>
    public void Run(FeatureBatch batch, int row)
    {
        foreach (var step in _steps)
        {
            var problem = step.Apply(batch, row);
            if (problem is not null)
            {
                batch.Reject(step.Feature, $"{step.Label}: {problem}");
                return;
            }
        }

        foreach (var f in _checked)
        {
            var rule = _rules[f];
            string? problem;
            if (rule.IsNumeric)
            {
                var value = batch.NumberAt(f, row);
                problem = double.IsNaN(value) ? (rule.Spec.AllowMissing ? null : "missing") : rule.CheckNumber(value);
            }
            else
            {
                var text = batch.CategoryAt(f, row);
                problem = null;
                if (text.Length == 0)
                {
                    problem = rule.Spec.AllowMissing ? null : "missing";
                }
                else if (rule.Spec.Values is not null)
                {
                    var category = rule.ToCategory(text);
                    if (category is null)
                    {
                        problem = $"'{FeatureBatch.Truncate(text)}' is not one of the known categories ({rule.DescribeCategories()})";
                    }
                    else
                    {
                        batch.SetCategoryAt(f, row, category);
                    }
                }
            }

            if (problem is not null)
            {
                batch.Reject(f, _lastStep[f] is { } step ? $"after {step}: {problem}" : problem);
                return;
            }
        }
    }
}

/// <summary>One compiled pre step: <see cref="Label"/> names it in errors (<c>pre[i]</c> or <c>pre[i] ('name')</c>).</summary>
internal abstract class PreStep(string label, int feature)
{
    public string Label { get; } = label;

    /// <summary>The feature a failure is reported against (-1: the row).</summary>
    public int Feature { get; } = feature;

    public abstract string? Apply(FeatureBatch batch, int row);
}

internal sealed class DeriveStep(string label, int feature, ExpressionNode expression) : PreStep(label, feature)
{
    public override string? Apply(FeatureBatch batch, int row)
    {
        var scope = new RowScope(batch, row, null);
        switch (expression.Type)
        {
            case ExpressionType.Text:
                batch.SetCategoryAt(Feature, row, expression.Text(scope));
                break;
            case ExpressionType.Boolean:
                batch.SetNumberAt(Feature, row, expression.Boolean(scope) ? 1 : 0);
                break;
            default:
                batch.SetNumberAt(Feature, row, expression.Number(scope));
                break;
        }

        return null;
    }
}

internal sealed class DefaultStep(string label, int feature, double number, string? text) : PreStep(label, feature)
{
    public override string? Apply(FeatureBatch batch, int row)
    {
        if (text is null)
        {
            if (double.IsNaN(batch.NumberAt(Feature, row)))
            {
                batch.SetNumberAt(Feature, row, number);
            }
        }
        else if (batch.CategoryAt(Feature, row).Length == 0)
        {
            batch.SetCategoryAt(Feature, row, text);
        }

        return null;
    }
}

internal sealed class ClipStep(string label, int feature, double min, double max) : PreStep(label, feature)
{
    public override string? Apply(FeatureBatch batch, int row)
    {
        var value = batch.NumberAt(Feature, row);
        if (value < min)
        {
            batch.SetNumberAt(Feature, row, min);
        }
        else if (value > max)
        {
            batch.SetNumberAt(Feature, row, max);
        }

        return null;
    }
}

internal sealed class CodePreStep(string label, ITabularPreStep step) : PreStep(label, -1)
{
    public override string? Apply(FeatureBatch batch, int row) => step.Apply(new TabularRow(batch, row, writable: true));
}
