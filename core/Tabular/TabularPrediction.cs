namespace Serverless.Core.Tabular;

/// <summary>
/// One row's prediction. Classification: <see cref="Label"/>, and when the model has a probability output the
/// probability of that label (<see cref="Probability"/>) and every class's probability in class order
/// (<see cref="Scores"/>; class_labels order when the manifest gives them). Regression: <see cref="Value"/>.
/// Immutable.
/// </summary>
public sealed record TabularPrediction
{
    /// <summary>The predicted class: a class label, or the model's own class (index or key) without class_labels.</summary>
    public string? Label { get; init; }

    /// <summary>The label is an integer class (no class_labels named it), so JSON writes it as a number.</summary>
    public bool LabelIsNumber { get; init; }

    public double? Probability { get; init; }

    public IReadOnlyList<double>? Scores { get; init; }

    public double? Value { get; init; }
}
