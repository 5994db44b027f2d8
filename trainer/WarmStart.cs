using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// Fits a trial's pipeline, continuing from <see cref="TrialSpec.WarmStart"/> where ML.NET can: L-BFGS (binary logistic
/// regression and multiclass maximum entropy) starts from the champion's weights and bias instead of zeros. The featurization
/// is fitted on the new data; the champion's weights are used only when its featurized slots (names and order, one-hot
/// categories included) are this data's and, for multiclass, its classes are as many. Anything else trains from scratch and
/// says exactly why (<see cref="FittedPipeline.Note"/>): the other algorithms cannot continue from a model, a champion of
/// another algorithm or task, a model that cannot be read, slots that differ. Stateless; thread-safe.
/// </summary>
public static class WarmStart
{
    /// <summary>
    /// The fitted pipeline and, when the spec asked for a warm start, whether it continued, the note saying how or why not, and the
    /// seconds spent loading and checking the champion (not training).
    /// </summary>
    public sealed record FittedPipeline(ITransformer Model, bool? WarmStarted, string? Note, double ChampionSeconds = 0);

    /// <summary>
    /// Fits the spec's pipeline on <paramref name="train"/>, from the champion's <c>model.zip</c> bytes where it can; null bytes
    /// (not read: see <see cref="CannotContinue"/>, or unreadable, then <paramref name="unreadable"/> says why) train from scratch.
    /// </summary>
    public static FittedPipeline Fit(MLContext ml, TrialSpec spec, Hyperparameters hyperparameters, IDataView train, byte[]? champion, string? unreadable)
    {
        if (spec.WarmStart is not { } source)
        {
            return new FittedPipeline(PipelineFactory.Create(ml, spec, hyperparameters).Fit(train), null, null);
        }

        var refused = CannotContinue(spec, source) ?? unreadable;
        var championSeconds = 0.0;
        if (refused is null && champion is not null)
        {
            var featurizer = PipelineFactory.Featurization(ml, spec).Fit(train);
            var featurized = featurizer.Transform(train);
            var loading = System.Diagnostics.Stopwatch.StartNew();
            var (parameters, why) = ChampionParameters(ml, spec, source, champion, featurized.Schema);
            championSeconds = loading.Elapsed.TotalSeconds;
            if (parameters is not null)
            {
                var predictor = spec.Task == Algorithms.Binary
                    ? (ITransformer)TrainerFactory.LbfgsBinaryTrainer(ml, hyperparameters).Fit(featurized, (LinearModelParameters)parameters)
                    : TrainerFactory.LbfgsMulticlassTrainer(ml, hyperparameters).Fit(featurized, (MaximumEntropyModelParameters)parameters);
                var slots = SlotNames(featurized.Schema[PipelineFactory.FeaturesColumn]).Length;
                return new FittedPipeline(new TransformerChain<ITransformer>([.. (IEnumerable<ITransformer>)featurizer, predictor]), true,
                    $"continued {spec.Algorithm} from {source.From}'s weights ({slots} feature slots)", championSeconds);
            }

            refused = why;
        }

        return new FittedPipeline(PipelineFactory.Create(ml, spec, hyperparameters).Fit(train), false, (refused ?? "no model to continue from") + "; trained from scratch",
            championSeconds);
    }

    /// <summary>Why the spec's trial cannot continue from the source, known before reading it; null when it may try.</summary>
    public static string? CannotContinue(TrialSpec spec, TrialWarmStart source)
    {
        if (spec.Algorithm != Algorithms.Lbfgs)
        {
            return $"{spec.Algorithm} cannot continue from a model (only lbfgs can in ML.NET)";
        }

        return source.Algorithm != spec.Algorithm
            ? $"{source.From} was trained by {source.Algorithm}, not {spec.Algorithm}, so its weights do not fit this trainer"
            : null;
    }

    /// <summary>The champion's linear parameters when they fit this data's featurized slots; else null and why.</summary>
    private static (object? Parameters, string? Why) ChampionParameters(MLContext ml, TrialSpec spec, TrialWarmStart source, byte[] champion,
        DataViewSchema featurized)
    {
        ITransformer model;
        DataViewSchema championSchema;
        try
        {
            using var stream = new MemoryStream(champion);
            model = ml.Model.Load(stream, out var championInputs);
            championSchema = model.GetOutputSchema(championInputs);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, $"{source.From}'s {TrialOutputs.MlnetModel} cannot be read ({e.GetType().Name}: {FirstLine(e.Message)})");
        }

        var predictor = (model as IEnumerable<ITransformer>)?.LastOrDefault() ?? model;
        var parameters = (predictor as IPredictionTransformer<object>)?.Model;
        object? linear = spec.Task switch
        {
            Algorithms.Binary => LinearBinary(parameters),
            Algorithms.Multiclass => parameters as MaximumEntropyModelParameters,
            _ => null,
        };
        if (linear is null)
        {
            return (null, $"{source.From} is not an lbfgs {spec.Task} model (its predictor is {parameters?.GetType().Name ?? "missing"})");
        }

        if (championSchema.GetColumnOrNull(PipelineFactory.FeaturesColumn) is not { } championColumn)
        {
            return (null, $"{source.From} has no {PipelineFactory.FeaturesColumn} column to compare with this data's");
        }

        var mine = SlotNames(featurized[PipelineFactory.FeaturesColumn]);
        var theirs = SlotNames(championColumn);
        if (!mine.SequenceEqual(theirs))
        {
            var first = Enumerable.Range(0, Math.Max(mine.Length, theirs.Length))
                .First(i => i >= mine.Length || i >= theirs.Length || mine[i] != theirs[i]);
            return (null, $"{source.From} has {theirs.Length} feature slots and this data {mine.Length}; they differ from slot {first} " +
                          $"('{(first < theirs.Length ? theirs[first] : "none")}' against '{(first < mine.Length ? mine[first] : "none")}')");
        }

        if (linear is MaximumEntropyModelParameters entropy)
        {
            VBuffer<float>[] weights = [];
            entropy.GetWeights(ref weights, out var championClasses);
            var classes = featurized[TrialData.LabelColumn].Type is KeyDataViewType key ? key.Count : 0;
            if ((ulong)championClasses != classes)
            {
                return (null, $"{source.From} has {championClasses} classes and this data {classes}");
            }
        }

        return (linear, null);
    }

    /// <summary>The binary linear model inside a calibrated one (as trained, or as loaded from model.zip).</summary>
    private static LinearBinaryModelParameters? LinearBinary(object? parameters) => parameters switch
    {
        LinearBinaryModelParameters linear => linear,
        CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator> calibrated => calibrated.SubModel,
        CalibratedModelParametersBase calibrated => calibrated.GetType().GetProperty("SubModel")?.GetValue(calibrated) as LinearBinaryModelParameters,
        _ => null,
    };

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        var size = column.Type is VectorDataViewType vector ? vector.Size : 1;
        if (!column.HasSlotNames())
        {
            return [.. Enumerable.Range(0, size).Select(i => $"#{i}")];
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..197] + "..." : line;
    }
}
