using System.Globalization;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// The target column read for the task: binary targets become booleans (the positive class, from
/// <see cref="TrialSpec.PositiveClass"/> or the default for 0/1 and true/false targets), multiclass targets stay
/// text (ML.NET maps them to keys by value), regression targets become floats. Immutable.
/// </summary>
public sealed class TrialTarget
{
    private TrialTarget(string task, Array train, Array validation, string[] validationText, string? positive, string? negative)
    {
        Task = task;
        Train = train;
        Validation = validation;
        ValidationText = validationText;
        PositiveClass = positive;
        NegativeClass = negative;
    }

    public string Task { get; }

    /// <summary>The label column of the training rows: bool[] (binary), ReadOnlyMemory&lt;char&gt;[] (multiclass) or float[] (regression).</summary>
    public Array Train { get; }

    public Array Validation { get; }

    /// <summary>The validation rows' targets as text (trimmed), for metrics.</summary>
    public IReadOnlyList<string> ValidationText { get; }

    /// <summary>Binary: the positive class's text.</summary>
    public string? PositiveClass { get; }

    /// <summary>Binary: the other class's text.</summary>
    public string? NegativeClass { get; }

    public static TrialTarget Read(TrialSpec spec, TrialTable train, TrialTable validation)
    {
        var trainText = Cells(spec.Target, train);
        var validationText = Cells(spec.Target, validation);
        return spec.Task switch
        {
            Algorithms.Binary => Binary(spec, train, trainText, validation, validationText),
            Algorithms.Multiclass => Multiclass(spec, train, trainText, validation, validationText),
            _ => new TrialTarget(spec.Task, Floats(spec.Target, train, trainText), Floats(spec.Target, validation, validationText), validationText, null, null),
        };
    }

    private static TrialTarget Binary(TrialSpec spec, TrialTable train, string[] trainText, TrialTable validation, string[] validationText)
    {
        var classes = trainText.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length != 2)
        {
            throw new TrialException(classes.Length < 2
                ? $"Target '{spec.Target}' in '{train.Source}' has only the value '{classes[0]}'; a binary task needs two classes."
                : $"Target '{spec.Target}' in '{train.Source}' has {classes.Length} distinct values ({Describe(classes)}); a binary task needs exactly 2 (use task multiclass).");
        }

        var positive = spec.PositiveClass?.Trim() ?? DefaultPositive(classes)
            ?? throw new TrialException(
                $"Target '{spec.Target}' has values {Describe(classes)}: set positive_class in the spec to the one that is the positive class.");
        if (!classes.Contains(positive, StringComparer.Ordinal))
        {
            throw new TrialException($"positive_class '{positive}' is not a value of target '{spec.Target}' in '{train.Source}'; its values are {Describe(classes)}.");
        }

        var negative = classes.First(c => c != positive);
        CheckKnown(spec.Target, validation, validationText, classes, train.Source);
        return new TrialTarget(spec.Task, trainText.Select(t => t == positive).ToArray(), validationText.Select(t => t == positive).ToArray(),
            validationText, positive, negative);
    }

    private static TrialTarget Multiclass(TrialSpec spec, TrialTable train, string[] trainText, TrialTable validation, string[] validationText)
    {
        var classes = trainText.Distinct(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
        {
            throw new TrialException($"Target '{spec.Target}' in '{train.Source}' has only the value '{classes[0]}'; a multiclass task needs at least two classes.");
        }

        CheckKnown(spec.Target, validation, validationText, classes, train.Source);
        return new TrialTarget(spec.Task, Text(trainText), Text(validationText), validationText, null, null);
    }

    /// <summary>"1" for 0/1 targets (also 0.0/1.0), the true one for true/false targets (any case), else null.</summary>
    private static string? DefaultPositive(string[] classes)
    {
        if (classes.All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is 0 or 1))
        {
            return classes.First(c => double.Parse(c, NumberStyles.Float, CultureInfo.InvariantCulture) == 1);
        }

        return classes.All(c => bool.TryParse(c, out _)) ? classes.First(c => bool.Parse(c)) : null;
    }

    private static void CheckKnown(string target, TrialTable validation, string[] text, string[] classes, string trainSource)
    {
        for (var r = 0; r < text.Length; r++)
        {
            if (!classes.Contains(text[r], StringComparer.Ordinal))
            {
                throw new TrialException(
                    $"Target '{target}' in '{validation.Source}' (data row {r + 1}) is '{text[r]}', which the training rows ('{trainSource}') never have; their classes are {Describe(classes)}.");
            }
        }
    }

    private static string[] Cells(string target, TrialTable table)
    {
        var cells = table.Column(target).Select(c => c.Trim()).ToArray();
        var empty = Array.FindIndex(cells, c => c.Length == 0);
        return empty < 0 ? cells : throw new TrialException($"Target '{target}' in '{table.Source}' is empty in data row {empty + 1}; every row needs a target.");
    }

    private static float[] Floats(string target, TrialTable table, string[] text)
    {
        var values = new float[text.Length];
        for (var r = 0; r < text.Length; r++)
        {
            if (!double.TryParse(text[r], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new TrialException($"Target '{target}' in '{table.Source}' is '{text[r]}' in data row {r + 1}; a regression target must be a number.");
            }

            values[r] = (float)value;
        }

        return values;
    }

    private static ReadOnlyMemory<char>[] Text(string[] text) => text.Select(t => t.AsMemory()).ToArray();

    private static string Describe(IEnumerable<string> values)
    {
        var list = values.Take(11).ToList();
        return string.Join(", ", list.Take(10).Select(v => $"'{v}'")) + (list.Count > 10 ? ", ..." : "");
    }
}
