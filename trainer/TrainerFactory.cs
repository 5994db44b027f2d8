using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// The ML.NET trainer for an algorithm and task, with the spec's hyperparameters mapped onto its options, one
/// thread and the spec's seed (so results reproduce), reading <see cref="TrialData.LabelColumn"/> and
/// <see cref="PipelineFactory.FeaturesColumn"/>. Binary trainers are calibrated (they output Probability);
/// multiclass trainers output class probabilities as Score. Stateless; thread-safe.
/// </summary>
internal static class TrainerFactory
{
    private const string Label = TrialData.LabelColumn;
    private const string Features = PipelineFactory.FeaturesColumn;

    public static IEstimator<ITransformer> Create(MLContext ml, TrialSpec spec, Hyperparameters h) => (spec.Algorithm, spec.Task) switch
    {
        (Algorithms.LightGbm, Algorithms.Binary) => ml.BinaryClassification.Trainers.LightGbm(LightGbmBinary(spec, Trees.ForLightGbm(h))),
        (Algorithms.LightGbm, Algorithms.Multiclass) => ml.MulticlassClassification.Trainers.LightGbm(LightGbmMulticlass(spec, Trees.ForLightGbm(h))),
        (Algorithms.LightGbm, Algorithms.Regression) => ml.Regression.Trainers.LightGbm(LightGbmRegression(spec, Trees.ForLightGbm(h))),
        (Algorithms.FastTree, Algorithms.Binary) => ml.BinaryClassification.Trainers.FastTree(FastTree(new FastTreeBinaryTrainer.Options(), spec, Trees.ForFastTree(h))),
        (Algorithms.FastTree, Algorithms.Multiclass) => ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.FastTree(FastTree(new FastTreeBinaryTrainer.Options(), spec, Trees.ForFastTree(h))),
            labelColumnName: Label,
            useProbabilities: true),
        (Algorithms.FastTree, Algorithms.Regression) => ml.Regression.Trainers.FastTree(FastTree(new FastTreeRegressionTrainer.Options(), spec, Trees.ForFastTree(h))),
        (Algorithms.Lbfgs, Algorithms.Binary) => LbfgsBinaryTrainer(ml, h),
        (Algorithms.Lbfgs, Algorithms.Multiclass) => LbfgsMulticlassTrainer(ml, h),
        (Algorithms.Sdca, Algorithms.Binary) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(SdcaBinary(h)),
        (Algorithms.Sdca, Algorithms.Multiclass) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(SdcaMulticlass(h)),
        (Algorithms.Sdca, Algorithms.Regression) => ml.Regression.Trainers.Sdca(SdcaRegression(h)),
        _ => throw new TrialException(Algorithms.Unsupported(spec.Algorithm, spec.Task) ?? $"{spec.Algorithm} does not train {spec.Task} tasks."),
    };

    /// <summary>Binary logistic regression with L-BFGS, which can continue from a model's weights (<see cref="WarmStart"/>).</summary>
    public static LbfgsLogisticRegressionBinaryTrainer LbfgsBinaryTrainer(MLContext ml, Hyperparameters h) =>
        ml.BinaryClassification.Trainers.LbfgsLogisticRegression(LbfgsBinary(h));

    /// <summary>Multiclass maximum entropy with L-BFGS, which can continue from a model's weights (<see cref="WarmStart"/>).</summary>
    public static LbfgsMaximumEntropyMulticlassTrainer LbfgsMulticlassTrainer(MLContext ml, Hyperparameters h) =>
        ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(LbfgsMulticlass(h));

    private static LightGbmBinaryTrainer.Options LightGbmBinary(TrialSpec spec, Trees t)
    {
        var options = new LightGbmBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        options.NumberOfThreads = 1;
        options.Seed = spec.Seed;
        options.Deterministic = true;
        options.UseCategoricalSplit = false;
        options.Silent = true;
        options.NumberOfLeaves = t.Leaves ?? options.NumberOfLeaves;
        options.LearningRate = t.LearningRate ?? options.LearningRate;
        options.NumberOfIterations = t.Count ?? options.NumberOfIterations;
        options.MinimumExampleCountPerLeaf = t.MinimumPerLeaf ?? options.MinimumExampleCountPerLeaf;
        return options;
    }

    private static LightGbmMulticlassTrainer.Options LightGbmMulticlass(TrialSpec spec, Trees t)
    {
        var options = new LightGbmMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        options.NumberOfThreads = 1;
        options.Seed = spec.Seed;
        options.Deterministic = true;
        options.UseCategoricalSplit = false;
        options.Silent = true;
        options.NumberOfLeaves = t.Leaves ?? options.NumberOfLeaves;
        options.LearningRate = t.LearningRate ?? options.LearningRate;
        options.NumberOfIterations = t.Count ?? options.NumberOfIterations;
        options.MinimumExampleCountPerLeaf = t.MinimumPerLeaf ?? options.MinimumExampleCountPerLeaf;
        return options;
    }

    private static LightGbmRegressionTrainer.Options LightGbmRegression(TrialSpec spec, Trees t)
    {
        var options = new LightGbmRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        options.NumberOfThreads = 1;
        options.Seed = spec.Seed;
        options.Deterministic = true;
        options.UseCategoricalSplit = false;
        options.Silent = true;
        options.NumberOfLeaves = t.Leaves ?? options.NumberOfLeaves;
        options.LearningRate = t.LearningRate ?? options.LearningRate;
        options.NumberOfIterations = t.Count ?? options.NumberOfIterations;
        options.MinimumExampleCountPerLeaf = t.MinimumPerLeaf ?? options.MinimumExampleCountPerLeaf;
        return options;
    }

    private static TOptions FastTree<TOptions>(TOptions options, TrialSpec spec, Trees t)
        where TOptions : BoostedTreeOptions
    {
        options.LabelColumnName = Label;
        options.FeatureColumnName = Features;
        options.NumberOfThreads = 1;
        options.Seed = spec.Seed;
        options.FeatureSelectionSeed = spec.Seed;
        options.NumberOfLeaves = t.Leaves ?? options.NumberOfLeaves;
        options.LearningRate = t.LearningRate ?? options.LearningRate;
        options.NumberOfTrees = t.Count ?? options.NumberOfTrees;
        options.MinimumExampleCountPerLeaf = t.MinimumPerLeaf ?? options.MinimumExampleCountPerLeaf;
        return options;
    }

    private static LbfgsLogisticRegressionBinaryTrainer.Options LbfgsBinary(Hyperparameters h)
    {
        var options = new LbfgsLogisticRegressionBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features, NumberOfThreads = 1 };
        options.L1Regularization = (float?)h.Real("l1_regularization") ?? options.L1Regularization;
        options.L2Regularization = (float?)h.Real("l2_regularization") ?? options.L2Regularization;
        options.OptimizationTolerance = (float?)h.Real("optimization_tolerance") ?? options.OptimizationTolerance;
        return options;
    }

    private static LbfgsMaximumEntropyMulticlassTrainer.Options LbfgsMulticlass(Hyperparameters h)
    {
        var options = new LbfgsMaximumEntropyMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features, NumberOfThreads = 1 };
        options.L1Regularization = (float?)h.Real("l1_regularization") ?? options.L1Regularization;
        options.L2Regularization = (float?)h.Real("l2_regularization") ?? options.L2Regularization;
        options.OptimizationTolerance = (float?)h.Real("optimization_tolerance") ?? options.OptimizationTolerance;
        return options;
    }

    private static SdcaLogisticRegressionBinaryTrainer.Options SdcaBinary(Hyperparameters h) => new()
    {
        LabelColumnName = Label,
        FeatureColumnName = Features,
        NumberOfThreads = 1,
        L1Regularization = (float?)h.Real("l1_regularization"),
        L2Regularization = (float?)h.Real("l2_regularization"),
        MaximumNumberOfIterations = h.Integer("max_iterations"),
    };

    private static SdcaMaximumEntropyMulticlassTrainer.Options SdcaMulticlass(Hyperparameters h) => new()
    {
        LabelColumnName = Label,
        FeatureColumnName = Features,
        NumberOfThreads = 1,
        L1Regularization = (float?)h.Real("l1_regularization"),
        L2Regularization = (float?)h.Real("l2_regularization"),
        MaximumNumberOfIterations = h.Integer("max_iterations"),
    };

    private static SdcaRegressionTrainer.Options SdcaRegression(Hyperparameters h) => new()
    {
        LabelColumnName = Label,
        FeatureColumnName = Features,
        NumberOfThreads = 1,
        L1Regularization = (float?)h.Real("l1_regularization"),
        L2Regularization = (float?)h.Real("l2_regularization"),
        MaximumNumberOfIterations = h.Integer("max_iterations"),
    };

    /// <summary>The tree hyperparameters both boosting libraries share, under their spec names.</summary>
    private sealed record Trees(int? Leaves, double? LearningRate, int? Count, int? MinimumPerLeaf)
    {
        public static Trees ForLightGbm(Hyperparameters h) => new(
            h.Integer("num_leaves"), h.Real("learning_rate"), h.Integer("num_iterations", "n_estimators"), h.Integer("min_data_in_leaf"));

        public static Trees ForFastTree(Hyperparameters h) => new(
            h.Integer("num_leaves"), h.Real("learning_rate"), h.Integer("num_trees"), h.Integer("min_data_in_leaf"));
    }
}
