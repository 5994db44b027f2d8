namespace Serverless.Core.Tabular;

/// <summary>
/// One row's prediction. Classification: <see cref="Label"/>, and when the model has a probability output the
/// probability of that label (<see cref="Probability"/>) and every class's probability in class order
/// (<see cref="Scores"/>; class_labels order when the manifest gives them). Regression: <see cref="Value"/>.
/// Post steps (the manifest's <c>post</c>) give a new prediction that keeps the model's in <see cref="ModelPrediction"/>.
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

    /// <summary>The classes in <see cref="Scores"/> order (shared by the rows of a run); null without a probability output.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Notes the manifest's post steps added (e.g. "refer to review"); null when none.</summary>
    public IReadOnlyList<string>? Annotations { get; init; }

    /// <summary>The names of the manifest's rules that held for the row; null when none.</summary>
    public IReadOnlyList<string>? Rules { get; init; }

    /// <summary>The model's own prediction when the manifest's post steps changed it (label, annotations); else null.</summary>
    public TabularPrediction? ModelPrediction { get; init; }
}
