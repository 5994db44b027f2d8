using Serverless.Core.Training;
using Serverless.Trainer;

namespace Serverless.Tests.Training;

/// <summary>Specs the built-in trainer cannot honour fail with a <see cref="TrialException"/> naming the problem.</summary>
public sealed class TrainerSpecTests : IClassFixture<TrainerDataset>
{
    private readonly TrainerDataset _data;

    public TrainerSpecTests(TrainerDataset data)
    {
        _data = data;
    }

    [Fact]
    public async Task Train_UnknownAlgorithm_FailsNamingItAndTheKnownOnes()
    {
        var e = await FailAsync(_data.Spec("xgboost", Algorithms.Binary));

        Assert.Contains("'xgboost'", e.Message);
        Assert.Contains("lightgbm, fasttree, lbfgs, sdca", e.Message);
    }

    [Fact]
    public async Task Train_UnknownHyperparameter_FailsNamingItAndListingTheKnownOnes()
    {
        var spec = _data.Spec(Algorithms.LightGbm, Algorithms.Binary) with
        {
            Hyperparameters = TrainerParityTests.Hyperparameters("""{"num_leaves": 8, "max_depthh": 3}"""),
        };

        var e = await FailAsync(spec);

        Assert.Contains("'max_depthh'", e.Message);
        Assert.Contains("num_leaves, learning_rate, num_iterations, n_estimators, min_data_in_leaf", e.Message);
    }

    [Fact]
    public async Task Train_HyperparameterOfAnotherAlgorithm_FailsAsUnknown()
    {
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression) with { Hyperparameters = TrainerParityTests.Hyperparameters("""{"num_trees": 10}""") };

        var e = await FailAsync(spec);

        Assert.Contains("'num_trees'", e.Message);
        Assert.Contains("max_iterations", e.Message);
    }

    [Theory]
    [InlineData("""{"num_leaves": 1.5}""", "'num_leaves' must be a whole number")]
    [InlineData("""{"learning_rate": -0.1}""", "'learning_rate' must be greater than 0")]
    [InlineData("""{"learning_rate": "fast"}""", "'learning_rate' must be a number")]
    [InlineData("""{"num_iterations": 10, "n_estimators": 20}""", "mean the same")]
    public async Task Train_BadHyperparameterValue_FailsNamingIt(string hyperparameters, string expected)
    {
        var spec = _data.Spec(Algorithms.LightGbm, Algorithms.Regression) with { Hyperparameters = TrainerParityTests.Hyperparameters(hyperparameters) };

        var e = await FailAsync(spec);

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Train_MissingTargetColumn_FailsNamingTheColumnAndTheFile()
    {
        var e = await FailAsync(_data.Spec(Algorithms.LightGbm, Algorithms.Regression, target: "revenue"));

        Assert.Contains("no target column 'revenue'", e.Message);
        Assert.Contains("train.csv", e.Message);
    }

    [Fact]
    public async Task Train_MissingFeatureColumn_FailsNamingTheFeature()
    {
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression);
        spec = spec with { Features = [.. spec.Features, new TrialFeature("weight", TrialFeature.Numeric)] };

        var e = await FailAsync(spec);

        Assert.Contains("no numeric feature column 'weight'", e.Message);
    }

    [Fact]
    public async Task Train_LbfgsRegression_FailsNamingTheAlgorithmsThatTrainRegression()
    {
        var e = await FailAsync(_data.Spec(Algorithms.Lbfgs, Algorithms.Regression));

        Assert.Equal("lbfgs does not train regression tasks (it trains binary and multiclass); for regression use lightgbm, fasttree, sdca, torch_mlp, torch_ft_transformer.", e.Message);
    }

    [Fact]
    public async Task Train_EveryPairTheCatalogLeavesOut_FailsWithTheCatalogsReason()
    {
        var unsupported = HyperparameterCatalog.BuiltInAlgorithms
            .SelectMany(a => HyperparameterCatalog.Tasks.Where(t => !HyperparameterCatalog.Trains(a, t)).Select(t => (Algorithm: a, Task: t)))
            .ToList();

        Assert.NotEmpty(unsupported);
        foreach (var (algorithm, task) in unsupported)
        {
            var e = await FailAsync(_data.Spec(algorithm, task));
            Assert.Equal(HyperparameterCatalog.CheckTask(algorithm, task), e.Message);
        }
    }

    [Fact]
    public async Task Train_BinaryTextTargetWithoutPositiveClass_FailsAskingForPositiveClass()
    {
        var e = await FailAsync(_data.Spec(Algorithms.Lbfgs, Algorithms.Binary, target: "outcome"));

        Assert.Contains("positive_class", e.Message);
        Assert.Contains("'no', 'yes'", e.Message);
    }

    [Fact]
    public async Task Train_BinaryTaskOnThreeClasses_FailsSuggestingMulticlass()
    {
        var e = await FailAsync(_data.Spec(Algorithms.Lbfgs, Algorithms.Binary, target: "species"));

        Assert.Contains("3 distinct values", e.Message);
        Assert.Contains("multiclass", e.Message);
    }

    [Fact]
    public async Task Train_RegressionOnTextTarget_FailsNamingTheRow()
    {
        var e = await FailAsync(_data.Spec(Algorithms.Sdca, Algorithms.Regression, target: "species"));

        Assert.Contains("data row 1", e.Message);
        Assert.Contains("must be a number", e.Message);
    }

    [Fact]
    public async Task Train_FeatureNamedLikeAModelOutput_Fails()
    {
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression);
        spec = spec with { Features = [new TrialFeature("Score", TrialFeature.Numeric)] };

        var e = await FailAsync(spec);

        Assert.Contains("'Score'", e.Message);
    }

    [Fact]
    public async Task Train_TargetListedAsFeature_Fails()
    {
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression);
        spec = spec with { Features = [.. spec.Features, new TrialFeature("price", TrialFeature.Numeric)] };

        var e = await FailAsync(spec);

        Assert.Contains("'price' is the target", e.Message);
    }

    [Fact]
    public async Task Train_BlobUrlWithoutStorage_FailsSayingToConfigureStorage()
    {
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression) with { TrainUri = "https://account.blob.core.windows.net/data/train.csv" };

        var e = await FailAsync(spec);

        Assert.Contains("AzureWebJobsStorage", e.Message);
    }

    [Fact]
    public async Task Train_CsvRowWithTooFewCells_FailsNamingTheFile()
    {
        var path = Path.Combine(_data.Folder, $"ragged-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "x1,x2,x3,color,price\n1,2,3,red,4\n1,2\n");
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression) with { TrainUri = TrainerDataset.FileUri(path) };

        var e = await FailAsync(spec);

        Assert.Contains($"'{spec.TrainUri}' is not a valid CSV", e.Message);
    }

    [Fact]
    public async Task Train_NonNumericCellInNumericFeature_FailsNamingFeatureAndRow()
    {
        var path = Path.Combine(_data.Folder, $"text-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "x1,x2,x3,color,price\n1,2,3,red,4\n1,two,3,blue,5\n");
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Regression) with { TrainUri = TrainerDataset.FileUri(path) };

        var e = await FailAsync(spec);

        Assert.Contains("Numeric feature 'x2'", e.Message);
        Assert.Contains("'two' in data row 2", e.Message);
    }

    private static Task<TrialException> FailAsync(TrialSpec spec) =>
        Assert.ThrowsAsync<TrialException>(() => TrialTrainer.TrainAsync(spec, null, CancellationToken.None));
}
