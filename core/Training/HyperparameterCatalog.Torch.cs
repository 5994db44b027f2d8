namespace Serverless.Core.Training;

/// <summary>Which trainer runs an algorithm: the built-in ML.NET trainer (trainer/) or the PyTorch trainer (trainer-torch/).</summary>
public enum TrainerKind
{
    BuiltIn,
    Torch,
}

public static partial class HyperparameterCatalog
{
    public const string TorchMlp = "torch_mlp";
    public const string TorchFtTransformer = "torch_ft_transformer";

    /// <summary>The torch trainer's algorithms, in the order messages list them.</summary>
    public static IReadOnlyList<string> TorchAlgorithms => TorchSpecs.Names;

    /// <summary>The trainer that runs <paramref name="algorithm"/>; the built-in trainer for a name neither knows (it refuses it, naming the known ones).</summary>
    public static TrainerKind TrainerOf(string algorithm) =>
        TorchSpecs.Names.Contains(algorithm, StringComparer.Ordinal) ? TrainerKind.Torch : TrainerKind.BuiltIn;

    /// <summary>
    /// The torch algorithms' hyperparameters, as trainer-torch/hyperparameters.json lists them (a nested class, so that
    /// its fields are initialized on first use, whatever the order of this partial class's files).
    /// </summary>
    private static class TorchSpecs
    {
        public static readonly string[] Names = [TorchMlp, TorchFtTransformer];

        private static readonly HyperparameterSpec Dropout = new("dropout", HyperparameterKind.Real, 0, 0.9);
        private static readonly HyperparameterSpec TorchLearningRate = new("learning_rate", HyperparameterKind.Real, 0, 1, MinimumExclusive: true);
        private static readonly HyperparameterSpec WeightDecay = new("weight_decay", HyperparameterKind.Real, 0, 1);
        private static readonly HyperparameterSpec BatchSize = new("batch_size", HyperparameterKind.Integer, 8, 65_536);
        private static readonly HyperparameterSpec MaxEpochs = new("max_epochs", HyperparameterKind.Integer, 1, 10_000);
        private static readonly HyperparameterSpec Patience = new("patience", HyperparameterKind.Integer, 1, 1_000);

        /// <summary>An MLP over standardized numbers and categorical embeddings (trainer-torch/models.py).</summary>
        public static readonly IReadOnlyList<HyperparameterSpec> Mlp =
        [
            new("hidden_size", HyperparameterKind.Integer, 4, 4096),
            new("num_layers", HyperparameterKind.Integer, 1, 16),
            new("embedding_dim", HyperparameterKind.Integer, 1, 512),
            Dropout, TorchLearningRate, WeightDecay, BatchSize, MaxEpochs, Patience,
        ];

        /// <summary>The FT-Transformer (Gorishniy et al., 2021); attention heads: 8, 4, 2 or 1, the most that divide d_token.</summary>
        public static readonly IReadOnlyList<HyperparameterSpec> FtTransformer =
        [
            new("d_token", HyperparameterKind.Integer, 8, 512),
            new("n_blocks", HyperparameterKind.Integer, 1, 12),
            Dropout, TorchLearningRate, WeightDecay, BatchSize, MaxEpochs, Patience,
        ];
    }
}
