using CsvHelper;
using Microsoft.DurableTask;
using Serverless.Core.Baselines;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Core.Training;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Training;

/// <summary>Which registered version to evaluate, on which validation rows, by which target and task.</summary>
/// <remarks>With <paramref name="RecordPredictionBaseline"/> the version's baseline also gets the distribution of these predictions
/// (the reference for prediction drift).</remarks>
public sealed record EvaluationInput(string Model, string Version, string ValidationUri, string Target, string Task, string? PositiveClass,
    bool RecordPredictionBaseline = false);

/// <summary>
/// Every metric of the task on the validation rows, as served, plus how many rows the model could score
/// (a model with another feature schema may refuse some).
/// </summary>
public sealed record EvaluationResult(string Version, IReadOnlyDictionary<string, double> Metrics, long RowsScored, long RowsRefused, string? FirstRefusal);

/// <summary>
/// Scores a registered version, a model or an inference graph, on validation rows through the serving path itself (leased from
/// <see cref="BatchScorers"/> as batch scoring leases it: a model's warm session and bound manifest, or a graph's records binding
/// with its members as they resolve now; rows through a <see cref="FeatureBatch"/>, so the manifest's pre steps apply, and
/// predictions through its post steps), then computes the task's metrics with <see cref="ModelMetrics"/>, the same code trainers
/// report with, from the model's own probabilities, scores or values (<see cref="TabularPrediction.ModelPrediction"/> when a post
/// step changed the answer: a rule's label does not move a score). Promotion compares candidate and incumbent with this, on the same rows. Idempotent.
/// </summary>
[DurableTask(Name)]
public sealed class EvaluateModelActivity : TaskActivity<EvaluationInput, EvaluationResult>
{
    public const string Name = "TrainingEvaluateModel";

    private const int BatchRows = 2048;

    private static readonly CsvReaderOptions Options = new() { HasHeader = false, Separator = ',', DetectSeparatorHint = false, IncludeValuesInExceptions = false };

    private readonly TrialStorage _storage;
    private readonly BatchScorers _models;
    private readonly BaselineStore _baselines;

    public EvaluateModelActivity(TrialStorage storage, BatchScorers models, BaselineStore baselines)
    {
        _storage = storage;
        _models = models;
        _baselines = baselines;
    }

    public override async Task<EvaluationResult> RunAsync(TaskActivityContext context, EvaluationInput input)
    {
        using var model = await _models.LeaseAsync(input.Model, input.Version, null, CancellationToken.None).ConfigureAwait(false);
        var version = model.Version;
        var csv = await _storage.ReadAsync(input.ValidationUri, CancellationToken.None).ConfigureAwait(false);

        var targets = new List<string>();
        var predictions = new List<TabularPrediction>();
        var batch = model.Tabular.CreateBatch(BatchRows, UnknownFeatures.Ignore);
        var batchTargets = new List<string>();
        long refused = 0;
        string? firstRefusal = null;
        using (var reader = CsvReader.Create(new MemoryStream(csv, writable: false), Options))
        {
            if (!reader.Read())
            {
                throw new InvalidOperationException($"The validation rows at {input.ValidationUri} are empty.");
            }

            var header = Cells(reader);
            var targetIndex = Array.IndexOf(header, input.Target);
            ColumnBinding binding;
            try
            {
                binding = batch.BindColumns(header);
            }
            catch (ServingException e)
            {
                // Another feature schema (an incumbent trained on other columns): it cannot be judged on these rows.
                return new EvaluationResult(version.Version, new Dictionary<string, double>(), 0, csv.AsSpan().Count((byte)'\n'), e.Message);
            }

            long row = 0;
            while (reader.Read())
            {
                var cells = Cells(reader);
                if (batch.AddRow(binding, cells, row++))
                {
                    batchTargets.Add(cells[targetIndex]);
                }

                if (batch.RowCount + batch.RejectedRowCount >= BatchRows)
                {
                    (refused, firstRefusal) = await FlushAsync(model, batch, batchTargets, targets, predictions, refused, firstRefusal);
                }
            }

            (refused, firstRefusal) = await FlushAsync(model, batch, batchTargets, targets, predictions, refused, firstRefusal);
        }

        var metrics = predictions.Count == 0 ? new Dictionary<string, double>() : Compute(input, model.Manifest, targets, predictions);
        if (input.RecordPredictionBaseline && predictions.Count > 0
            && await _baselines.GetAsync(input.Model, version.Version, CancellationToken.None).ConfigureAwait(false) is { } baseline)
        {
            await _baselines.SaveAsync(input.Model, version.Version, baseline with { Predictions = PredictionBaseline(input, model.Manifest, predictions) },
                CancellationToken.None).ConfigureAwait(false);
        }

        return new EvaluationResult(version.Version, metrics, predictions.Count, refused, firstRefusal);
    }

    private static async Task<(long Refused, string? First)> FlushAsync(IRecordScorer model, FeatureBatch batch, List<string> batchTargets,
        List<string> targets, List<TabularPrediction> predictions, long refused, string? first)
    {
        if (batch.RowCount > 0)
        {
            predictions.AddRange(await model.PredictAsync(batch, CancellationToken.None).ConfigureAwait(false));
            targets.AddRange(batchTargets);
        }

        // Row and feature only: the reason may quote the row's cell, and this text ends up in the sweep's promotion reason.
        first ??= batch.Errors.FirstOrDefault() is { } error
            ? error.Feature is null ? $"row {error.Row + 1} was refused" : $"row {error.Row + 1}, feature '{error.Feature}' was refused"
            : null;
        refused += batch.RejectedRowCount;
        batchTargets.Clear();
        batch.Clear();
        return (refused, first);
    }

    internal static Dictionary<string, double> Compute(EvaluationInput input, ModelManifest manifest, List<string> targets, List<TabularPrediction> predictions)
    {
        switch (input.Task)
        {
            case "regression":
                return ModelMetrics.Regression(targets.Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                    predictions.Select(p => Scored(p).Value ?? double.NaN).ToList());
            case "binary":
                var positive = input.PositiveClass ?? manifest.ClassLabels?.LastOrDefault() ?? "1";
                return ModelMetrics.Binary(targets.Select(t => t.Trim() == positive ? 1 : 0).ToList(),
                    predictions.Select(p => PositiveProbability(p, manifest, positive)).ToList(), manifest.EffectiveThreshold);
            default:
                var labels = manifest.ClassLabels ?? throw new InvalidOperationException("A multiclass evaluation needs the manifest's class_labels.");
                var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
                return ModelMetrics.Multiclass(targets.Select(t => index.TryGetValue(t.Trim(), out var i) ? i : -1).Select(i => Math.Max(i, 0)).ToList(),
                    predictions.Select(p => (IReadOnlyList<double>)(Scored(p).Scores ?? [])).ToList(), labels.Count);
        }
    }

    /// <summary>The distribution of the predictions: the positive class's probability, the value, or the predicted label (multiclass).</summary>
    private static FeatureBaseline PredictionBaseline(EvaluationInput input, ModelManifest manifest, List<TabularPrediction> predictions)
    {
        var builder = new BaselineBuilder("prediction", input.Task != "multiclass");
        foreach (var prediction in predictions)
        {
            switch (input.Task)
            {
                case "regression":
                    builder.AddNumber(Scored(prediction).Value ?? double.NaN);
                    break;
                case "binary":
                    builder.AddNumber(PositiveProbability(prediction, manifest, input.PositiveClass ?? manifest.ClassLabels?.LastOrDefault() ?? "1"));
                    break;
                default:
                    // The model's label, as the inference log records it (before the manifest's post steps).
                    builder.AddText(Scored(prediction).Label);
                    break;
            }
        }

        return builder.Build();
    }

    /// <summary>What the model itself answered: a post step's label or annotation does not change a metric.</summary>
    private static TabularPrediction Scored(TabularPrediction prediction) => prediction.ModelPrediction ?? prediction;

    /// <summary>The positive class's probability: its score when scores are given, else from the model's label's probability.</summary>
    private static double PositiveProbability(TabularPrediction answered, ModelManifest manifest, string positive)
    {
        var prediction = Scored(answered);
        if (prediction.Scores is { Count: 2 } scores)
        {
            return scores[1];
        }

        var probability = prediction.Probability ?? 0;
        return prediction.Label == positive || prediction.Label == (manifest.ClassLabels?.Count == 2 ? manifest.ClassLabels[1] : "1") ? probability : 1 - probability;
    }

    private static string[] Cells(CsvReader reader)
    {
        var cells = new string[reader.FieldCount];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = reader.GetString(i);
        }

        return cells;
    }
}
