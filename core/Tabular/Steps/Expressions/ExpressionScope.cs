using Serverless.Core.Models;

namespace Serverless.Core.Tabular.Steps.Expressions;

/// <summary>
/// The names an expression may read: the manifest's features (by their index in the batch) and, for post steps, the
/// prediction's fields (<c>probability</c>: the positive class's for a binary task, else the model label's;
/// <c>label</c>: the label so far; <c>model_label</c>: the model's; <c>value</c>: a regression's), which shadow a
/// feature of the same name. Immutable; thread-safe.
/// </summary>
internal sealed class ExpressionScope
{
    private readonly Dictionary<string, ExpressionNode> _names;
    private readonly ISet<string>? _reads;

    private ExpressionScope(Dictionary<string, ExpressionNode> names, string describe, bool hasPrediction, ISet<string>? reads = null)
    {
        _names = names;
        Describe = describe;
        HasPrediction = hasPrediction;
        _reads = reads;
    }

    /// <summary>Whether the prediction's fields are in scope (post steps).</summary>
    public bool HasPrediction { get; }

    /// <summary>The names, as an error message lists them.</summary>
    public string Describe { get; }

    public static ExpressionScope ForFeatures(IReadOnlyList<FeatureSpec> features) => Create(features, null);

    public static ExpressionScope ForPrediction(IReadOnlyList<FeatureSpec> features, TabularTask task) => Create(features, task);

    public ExpressionNode? Find(string name)
    {
        var found = _names.GetValueOrDefault(name);
        if (found is not null)
        {
            _reads?.Add(name);
        }

        return found;
    }

    /// <summary>This scope, noting into <paramref name="reads"/> every name an expression compiled with it reads (one compilation at a time).</summary>
    public ExpressionScope Recording(ISet<string> reads) => new(_names, Describe, HasPrediction, reads);

    private static ExpressionScope Create(IReadOnlyList<FeatureSpec> features, TabularTask? task)
    {
        var names = new Dictionary<string, ExpressionNode>(StringComparer.Ordinal);
        for (var f = 0; f < features.Count; f++)
        {
            names[features[f].Name] = features[f].Type == FeatureType.Numeric ? new NumericFeature(f) : new CategoricalFeature(f);
        }

        var shown = string.Join(", ", features.Take(20).Select(f => $"'{FeatureText(f.Name)}'")) + (features.Count > 20 ? ", ..." : "");
        if (task is { } t)
        {
            if (t == TabularTask.Regression)
            {
                names["value"] = new PredictionNumber(positiveProbability: false);
                shown = "'value', " + shown;
            }
            else
            {
                names["probability"] = new PredictionNumber(positiveProbability: true);
                names["label"] = new PredictionLabel(model: false);
                names["model_label"] = new PredictionLabel(model: true);
                shown = "'probability', 'label', 'model_label', " + shown;
            }
        }

        return new ExpressionScope(names, shown, task is not null);
    }

    private static string FeatureText(string name) => name.Length <= 40 ? name : name[..40] + "...";
}
