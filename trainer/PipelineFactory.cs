using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// Builds a trial's ML.NET pipeline, all of which the ONNX export keeps so serving takes raw features:
/// numeric features → missing values replaced by the training mean; categorical features → one-hot, categories in sorted
/// order so the same categories give the same slots whatever the row order (a warm start needs that; a category never seen in
/// training → all zeros); concatenated in spec order into <see cref="FeaturesColumn"/>; min-max
/// normalised for the linear trainers (lbfgs, sdca); then the trainer, single-threaded and seeded so a trial
/// reproduces. Featurizers write over their input columns, so the model's inputs keep the features' names.
/// </summary>
public static class PipelineFactory
{
    /// <summary>The featurized vector the trainer reads.</summary>
    public const string FeaturesColumn = "__features";

    /// <summary>Multiclass only: maps the text label to a key, classes sorted by value (the class_labels order). Not exported.</summary>
    public static IEstimator<ITransformer>? LabelMapping(MLContext ml, string task) => task == Algorithms.Multiclass
        ? ml.Transforms.Conversion.MapValueToKey(TrialData.LabelColumn, TrialData.LabelColumn, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
        : null;

    /// <summary>Featurization then the trainer for the spec's algorithm and task.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml, TrialSpec spec, Hyperparameters hyperparameters) =>
        Featurization(ml, spec).Append(TrainerFactory.Create(ml, spec, hyperparameters));

    /// <summary>The featurization alone: missing values, one-hot, the concatenated <see cref="FeaturesColumn"/>, normalised for the linear trainers.</summary>
    public static IEstimator<ITransformer> Featurization(MLContext ml, TrialSpec spec)
    {
        var numeric = spec.Features.Where(f => f.Type == TrialFeature.Numeric).Select(f => new InputOutputColumnPair(f.Name, f.Name)).ToArray();
        var categorical = spec.Features.Where(f => f.Type == TrialFeature.Categorical).Select(f => new InputOutputColumnPair(f.Name, f.Name)).ToArray();
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        if (numeric.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(numeric, MissingValueReplacingEstimator.ReplacementMode.Mean));
        }

        if (categorical.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(categorical, OneHotEncodingEstimator.OutputKind.Indicator,
                keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue));
        }

        pipeline = pipeline.Append(ml.Transforms.Concatenate(FeaturesColumn, spec.Features.Select(f => f.Name).ToArray()));
        if (spec.Algorithm is Algorithms.Lbfgs or Algorithms.Sdca)
        {
            pipeline = pipeline.Append(ml.Transforms.NormalizeMinMax(FeaturesColumn));
        }

        return pipeline;
    }
}
