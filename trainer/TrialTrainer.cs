using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// Runs one trial of the built-in trainer: checks the spec, reads the training and validation CSVs, fits the
/// ML.NET pipeline (<see cref="PipelineFactory"/>) with <c>MLContext(seed)</c>, continuing from the spec's warm-start source
/// where it can (<see cref="WarmStart"/>; the outcome goes into the metrics), predicts the validation rows,
/// computes every metric of the task with <see cref="ModelMetrics"/>, exports ONNX and builds the manifest,
/// validated against the model as the platform validates it, and saves the fitted pipeline (model.zip). Writes nothing: <see cref="Program"/> writes
/// the outputs. A spec the trainer cannot honour throws <see cref="TrialException"/>.
/// </summary>
public static class TrialTrainer
{
    public static async Task<TrainedTrial> TrainAsync(TrialSpec spec, TrialStorage? storage, CancellationToken cancellationToken, TextWriter? log = null)
    {
        var hyperparameters = TrialSpecChecks.Check(spec);
        var files = new TrialFiles(storage);
        var trainCsv = await files.ReadAsync(spec.TrainUri, cancellationToken).ConfigureAwait(false);
        var validationCsv = await files.ReadAsync(spec.ValidationUri, cancellationToken).ConfigureAwait(false);
        var data = TrialData.Load(spec, trainCsv, validationCsv);
        log?.WriteLine($"trial {spec.TrialId}: {spec.Algorithm} {spec.Task} on {data.TrainRows} training rows, {data.ValidationRows} validation rows, {spec.Features.Count} features");
        cancellationToken.ThrowIfCancellationRequested();

        var ml = new MLContext(spec.Seed);
        var (train, validation) = MapLabels(ml, spec.Task, data);
        var (champion, unreadable) = await ReadChampionAsync(spec, files, cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        var fitted = WarmStart.Fit(ml, spec, hyperparameters, train, champion, unreadable);
        var model = fitted.Model;
        var trainSeconds = stopwatch.Elapsed.TotalSeconds - fitted.ChampionSeconds;
        log?.WriteLine($"trial {spec.TrialId}: trained in {trainSeconds:F2} s{(fitted.Note is null ? "" : "; " + fitted.Note)}");
        cancellationToken.ThrowIfCancellationRequested();

        var classLabels = spec.Task switch
        {
            Algorithms.Binary => [data.Target.NegativeClass!, data.Target.PositiveClass!],
            Algorithms.Multiclass => ClassLabels(train.Schema),
            _ => null,
        };
        var predictions = Predict(model.Transform(validation), spec.Task, classLabels);
        var metrics = new TrialMetrics
        {
            Metrics = Evaluate(spec.Task, data.Target, predictions),
            TrainRows = data.TrainRows,
            ValidationRows = data.ValidationRows,
            TrainSeconds = Math.Round(trainSeconds, 3),
            WarmStart = fitted.WarmStarted,
            WarmStartNote = fitted.Note,
        };
        log?.WriteLine($"trial {spec.TrialId}: validation {string.Join(", ", metrics.Metrics.Select(m => $"{m.Key}={m.Value:G4}"))}");

        var onnx = OnnxExport.Convert(ml, model, data.TrainFeatures, spec.Task);
        var manifest = ManifestBuilder.Build(spec, classLabels);
        ManifestBuilder.Validate(manifest, onnx, OnnxExport.ReadSignature(onnx), spec.TrialId);
        log?.WriteLine($"trial {spec.TrialId}: exported ONNX ({onnx.Length} bytes), manifest fits the model");
        return new TrainedTrial(onnx, manifest, metrics, predictions, Save(ml, model, data.TrainFeatures.Schema));
    }

    /// <summary>The champion's model.zip when the spec asks to warm-start and the trial may; else null, and why when it could not be read.</summary>
    private static async Task<(byte[]? Bytes, string? Unreadable)> ReadChampionAsync(TrialSpec spec, TrialFiles files, CancellationToken cancellationToken)
    {
        if (spec.WarmStart is not { } source || WarmStart.CannotContinue(spec, source) is not null)
        {
            return (null, null);
        }

        try
        {
            return (await files.ReadAsync(source.ModelUri, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is FileNotFoundException or TrialException or IOException or Azure.RequestFailedException)
        {
            return (null, $"{source.From}'s {TrialOutputs.MlnetModel} could not be read ({FirstLine(e.Message)})");
        }
    }

    /// <summary>The fitted pipeline as ML.NET saves it (<see cref="TrialOutputs.MlnetModel"/>), for a later trial to continue from.</summary>
    private static byte[] Save(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, inputSchema, stream);
        return stream.ToArray();
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static (IDataView Train, IDataView Validation) MapLabels(MLContext ml, string task, TrialData data)
    {
        if (PipelineFactory.LabelMapping(ml, task) is not { } mapping)
        {
            return (data.Train, data.Validation);
        }

        var fitted = mapping.Fit(data.Train);
        return (fitted.Transform(data.Train), fitted.Transform(data.Validation));
    }

    /// <summary>The multiclass label's key values: the class texts in key (sorted) order.</summary>
    private static string[] ClassLabels(DataViewSchema schema)
    {
        VBuffer<ReadOnlyMemory<char>> keys = default;
        schema[TrialData.LabelColumn].GetKeyValues(ref keys);
        return keys.DenseValues().Select(k => k.ToString()).ToArray();
    }

    private static ValidationPredictions Predict(IDataView scored, string task, string[]? classLabels)
    {
        if (task == Algorithms.Multiclass)
        {
            var rows = scored.GetColumn<VBuffer<float>>("Score")
                .Select(v => (IReadOnlyList<double>)v.DenseValues().Select(p => (double)p).ToArray())
                .ToArray();
            return new ValidationPredictions(task, null, rows, classLabels);
        }

        var column = task == Algorithms.Binary ? "Probability" : "Score";
        var values = scored.GetColumn<float>(column).Select(v => (double)v).ToArray();
        return new ValidationPredictions(task, values, null, classLabels);
    }

    private static Dictionary<string, double> Evaluate(string task, TrialTarget target, ValidationPredictions predictions)
    {
        var truth = target.ValidationText;
        switch (task)
        {
            case Algorithms.Binary:
                var positives = truth.Select(t => t == target.PositiveClass ? 1 : 0).ToArray();
                return ModelMetrics.Binary(positives, predictions.Values!);
            case Algorithms.Multiclass:
                var labels = predictions.ClassLabels!.ToList();
                var indexes = truth.Select(t => labels.IndexOf(t)).ToArray();
                return ModelMetrics.Multiclass(indexes, predictions.ClassProbabilities!, labels.Count);
            default:
                var actual = ((float[])target.Validation).Select(v => (double)v).ToArray();
                return ModelMetrics.Regression(actual, predictions.Values!);
        }
    }
}
