using Serverless.Core.Models;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// One row's prediction as the post steps decide it: starts as the model's (<see cref="Model"/>), then each step may
/// change the label (<see cref="SetLabel"/>, <see cref="ChooseClass"/>) or add annotations. Reused from row to row within
/// one batch; not thread-safe; valid only during a step's call.
/// </summary>
public sealed class PredictionDecision
{
    private readonly bool _binary;
    private List<string>? _annotations;
    private List<string>? _rules;
    private bool _changed;

    internal PredictionDecision(TabularTask task)
    {
        _binary = task == TabularTask.Binary;
        Model = new TabularPrediction();
    }

    /// <summary>The model's own prediction for the row, as read from its outputs (and the manifest's threshold).</summary>
    public TabularPrediction Model { get; private set; }

    /// <summary>The label so far (classification).</summary>
    public string? Label { get; private set; }

    /// <summary>The probability answered with the label: the chosen class's, or the model's when a step named another label.</summary>
    public double? Probability { get; private set; }

    /// <summary>The regression value (NaN for classification).</summary>
    public double Value => Model.Value ?? double.NaN;

    /// <summary>Binary: the positive class's probability; multiclass: the model label's; NaN without probabilities.</summary>
    public double ProbabilityForRules => _binary && Model.Scores is { Count: 2 } scores ? scores[1] : Model.Probability ?? double.NaN;

    /// <summary>The annotations added so far (none: empty).</summary>
    public IReadOnlyList<string> Annotations => (IReadOnlyList<string>?)_annotations ?? [];

    private bool LabelIsNumber { get; set; }

    /// <summary>Answers <paramref name="label"/> instead (a text label, as the answer writes it).</summary>
    public void SetLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!string.Equals(label, Label, StringComparison.Ordinal) || LabelIsNumber)
        {
            Label = label;
            LabelIsNumber = false;
            _changed = true;
        }
    }

    /// <summary>Answers the model's class <paramref name="index"/> (in <see cref="TabularPrediction.Scores"/> order) with its probability.</summary>
    public void ChooseClass(int index)
    {
        var classes = Model.Classes ?? throw new InvalidOperationException("The model's prediction has no classes to choose from.");
        if (!string.Equals(classes[index], Label, StringComparison.Ordinal))
        {
            Label = classes[index];
            LabelIsNumber = Model.LabelIsNumber;
            Probability = Model.Scores![index];
            _changed = true;
        }
    }

    /// <summary>Adds a note to the row's answer (e.g. "refer to review").</summary>
    public void Annotate(string annotation)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotation);
        (_annotations ??= []).Add(annotation);
        _changed = true;
    }

    internal void Reset(TabularPrediction model)
    {
        Model = model;
        Label = model.Label;
        LabelIsNumber = model.LabelIsNumber;
        Probability = model.Probability;
        _annotations = null;
        _rules = null;
        _changed = false;
    }

    /// <summary>Notes that a rule fired, by its name, for the answer's <c>rules</c>.</summary>
    internal void Fired(string rule)
    {
        (_rules ??= []).Add(rule);
        _changed = true;
    }

    /// <summary>The row's answer: the model's prediction itself when no step changed anything.</summary>
    internal TabularPrediction ToPrediction() => !_changed
        ? Model
        : Model with
        {
            Label = Label,
            LabelIsNumber = LabelIsNumber,
            Probability = Probability,
            Annotations = _annotations,
            Rules = _rules,
            ModelPrediction = Model,
        };
}
