using System.Globalization;
using CsvHelper;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The output rows of batch scoring as CSV: the id (or row number), then label, probability and one
/// <c>score_{class}</c> column per class for classifiers, or value for regression; a manifest with post steps adds
/// <c>model_label</c> (the model's label where the steps changed it) and <c>annotations</c> ("; " between them). Numbers are the shortest
/// text that reads back to the same value: an FP32 output's at FP32 precision (0.9279491, as the JSON APIs write it). Text cells (ids, labels, the
/// header) go through <see cref="CsvFormulaGuard"/>, so none runs as a spreadsheet formula; numbers are written as
/// numbers. Not thread-safe.
/// </summary>
internal sealed class PredictionCsv
{
    /// <summary>The buffer holds a batch of rows, so the chunk's <see cref="FlushAsync"/> after each batch is the only write to the stream.</summary>
    public static readonly CsvWriterOptions Options = new() { Separator = ',', NewLine = "\n", ValidateFieldCount = false, WriteByteOrderMark = false, BufferSize = 512 * 1024 };

    private readonly CsvWriter _csv;
    private readonly ModelManifest _manifest;
    private readonly string _idColumn;
    private byte[] _guarded = new byte[64];

    public PredictionCsv(CsvWriter csv, ModelManifest manifest, string idColumn)
    {
        _csv = csv;
        _manifest = manifest;
        _idColumn = idColumn;
    }

    private bool IsRegression => _manifest.Task == TabularTask.Regression;

    private bool HasPostSteps => _manifest.Post.Count > 0;

    /// <summary>Writes the buffered rows to the stream and flushes it, asynchronously.</summary>
    public ValueTask FlushAsync() => _csv.FlushAsync(CancellationToken.None);

    public void WriteHeader()
    {
        WriteText(_idColumn);
        if (IsRegression)
        {
            _csv.WriteField("value");
        }
        else
        {
            _csv.WriteField("label");
            _csv.WriteField("probability");
            foreach (var label in _manifest.ClassLabels ?? [])
            {
                WriteText("score_" + label);
            }
        }

        if (HasPostSteps)
        {
            _csv.WriteField("model_label");
            _csv.WriteField("annotations");
        }

        _csv.EndRecord();
    }

    public void WriteRow(string id, TabularPrediction prediction)
    {
        WriteText(id);
        WritePrediction(prediction);
    }

    /// <summary>A row whose id is given as UTF-8 (as read from the input), written without a string.</summary>
    public void WriteRow(ReadOnlySpan<byte> id, TabularPrediction prediction)
    {
        if (CsvFormulaGuard.NeedsEscape(id))
        {
            if (_guarded.Length < id.Length + 1)
            {
                _guarded = new byte[Math.Max(id.Length + 1, _guarded.Length * 2)];
            }

            _guarded[0] = (byte)CsvFormulaGuard.Escape;
            id.CopyTo(_guarded.AsSpan(1));
            _csv.WriteField(_guarded.AsSpan(0, id.Length + 1));
        }
        else
        {
            _csv.WriteField(id);
        }

        WritePrediction(prediction);
    }

    private void WritePrediction(TabularPrediction prediction)
    {
        if (IsRegression)
        {
            WriteNumber(prediction.Value);
        }
        else
        {
            WriteText(prediction.Label);
            WriteNumber(prediction.Probability);
            var classes = _manifest.ClassLabels?.Count ?? 0;
            for (var i = 0; i < classes; i++)
            {
                WriteNumber(prediction.Scores is { } scores && i < scores.Count ? scores[i] : null);
            }
        }

        if (HasPostSteps)
        {
            WriteText(prediction.ModelPrediction is { } model && model.Label != prediction.Label ? model.Label : null);
            WriteText(prediction.Annotations is { Count: > 0 } notes ? string.Join("; ", notes) : null);
        }

        _csv.EndRecord();
    }

    private void WriteText(string? text) => _csv.WriteField(CsvFormulaGuard.Guard(text));

    /// <summary>A number exactly FP32 (a model's FP32 output) as FP32's shortest text, as the JSON APIs write it; others as a double's.</summary>
    private void WriteNumber(double? value)
    {
        if (value is { } number && double.IsFinite(number) && (double)(float)number == number)
        {
            _csv.WriteField((float)number, default, CultureInfo.InvariantCulture);
        }
        else if (value is { } other)
        {
            _csv.WriteField(other, default, CultureInfo.InvariantCulture);
        }
        else
        {
            _csv.WriteField(string.Empty);
        }
    }
}
