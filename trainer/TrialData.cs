using System.Globalization;
using Microsoft.ML;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// A trial's training and validation rows as ML.NET data views: one column per feature, named like the feature
/// (numeric: float, an empty cell is missing and becomes NaN; categorical: text) plus the label column
/// <see cref="LabelColumn"/>. <see cref="TrainFeatures"/> has the features only: its schema is what the exported
/// ONNX model takes. Immutable.
/// </summary>
public sealed class TrialData
{
    /// <summary>The label column's name (not a feature, not a model input).</summary>
    public const string LabelColumn = "__label";

    private TrialData(IDataView train, IDataView validation, IDataView trainFeatures, TrialTarget target, int trainRows, int validationRows)
    {
        Train = train;
        Validation = validation;
        TrainFeatures = trainFeatures;
        Target = target;
        TrainRows = trainRows;
        ValidationRows = validationRows;
    }

    public IDataView Train { get; }

    public IDataView Validation { get; }

    public IDataView TrainFeatures { get; }

    public TrialTarget Target { get; }

    public int TrainRows { get; }

    public int ValidationRows { get; }

    /// <summary>Parses both CSVs (columns: the target and the features) and converts every cell; throws <see cref="TrialException"/> naming the file, row and column at fault.</summary>
    public static TrialData Load(TrialSpec spec, byte[] trainCsv, byte[] validationCsv)
    {
        var columns = new List<string> { spec.Target };
        columns.AddRange(spec.Features.Select(f => f.Name));
        var roles = spec.Features.ToDictionary(f => f.Name, f => $"{f.Type} feature", StringComparer.Ordinal);
        roles[spec.Target] = "target";
        var train = TrialTable.Parse(trainCsv, spec.TrainUri, columns, roles);
        var validation = TrialTable.Parse(validationCsv, spec.ValidationUri, columns, roles);
        var target = TrialTarget.Read(spec, train, validation);
        var trainFeatures = Features(spec, train);
        return new TrialData(
            new ColumnarDataView([.. trainFeatures, (LabelColumn, target.Train)]),
            new ColumnarDataView([.. Features(spec, validation), (LabelColumn, target.Validation)]),
            new ColumnarDataView(trainFeatures),
            target,
            train.RowCount,
            validation.RowCount);
    }

    private static List<(string Name, Array Values)> Features(TrialSpec spec, TrialTable table)
    {
        var columns = new List<(string Name, Array Values)>(spec.Features.Count);
        foreach (var feature in spec.Features)
        {
            var cells = table.Column(feature.Name);
            columns.Add((feature.Name, feature.Type == TrialFeature.Numeric
                ? Numbers(feature.Name, table, cells)
                : cells.Select(c => c.AsMemory()).ToArray()));
        }

        return columns;
    }

    private static float[] Numbers(string feature, TrialTable table, IReadOnlyList<string> cells)
    {
        var values = new float[cells.Count];
        for (var r = 0; r < values.Length; r++)
        {
            var cell = cells[r];
            if (string.IsNullOrWhiteSpace(cell))
            {
                values[r] = float.NaN;
            }
            else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                values[r] = (float)value;
            }
            else
            {
                throw new TrialException($"Numeric feature '{feature}' in '{table.Source}' is '{cell}' in data row {r + 1}, which is not a number (leave the cell empty for a missing value).");
            }
        }

        return values;
    }
}
