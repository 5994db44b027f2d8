using Serverless.Core.Training;

namespace Serverless.Tests.Training;

/// <summary>The catalog the sweep API and the trainer share: which tasks each algorithm trains, and the names each takes.</summary>
public sealed class HyperparameterCatalogTests
{
    [Theory]
    [InlineData("lightgbm", "binary,multiclass,regression")]
    [InlineData("fasttree", "binary,multiclass,regression")]
    [InlineData("lbfgs", "binary,multiclass")]
    [InlineData("sdca", "binary,multiclass,regression")]
    [InlineData("xgboost", "")]
    public void TasksOf_IsWhatTheTrainerMapsOntoMlNet(string algorithm, string tasks) =>
        Assert.Equal(tasks, string.Join(",", HyperparameterCatalog.TasksOf(algorithm)));

    [Theory]
    [InlineData("binary", "lightgbm,fasttree,lbfgs,sdca,torch_mlp,torch_ft_transformer")]
    [InlineData("multiclass", "lightgbm,fasttree,lbfgs,sdca,torch_mlp,torch_ft_transformer")]
    [InlineData("regression", "lightgbm,fasttree,sdca,torch_mlp,torch_ft_transformer")]
    public void AlgorithmsFor_ListsThoseThatTrainTheTask(string task, string algorithms) =>
        Assert.Equal(algorithms, string.Join(",", HyperparameterCatalog.AlgorithmsFor(task)));

    [Fact]
    public void CheckTask_LbfgsRegression_SaysWhichTasksItTrainsAndWhichAlgorithmsFit() =>
        Assert.Equal("lbfgs does not train regression tasks (it trains binary and multiclass); for regression use lightgbm, fasttree, sdca, torch_mlp, torch_ft_transformer.",
            HyperparameterCatalog.CheckTask("lbfgs", "regression"));

    [Theory]
    [InlineData("lbfgs", "binary")]
    [InlineData("sdca", "regression")]
    [InlineData("xgboost", "regression")]
    [InlineData("lbfgs", "ranking")]
    public void CheckTask_SupportedOrUnknownPair_IsNull(string algorithm, string task) =>
        Assert.Null(HyperparameterCatalog.CheckTask(algorithm, task));

    [Theory]
    [InlineData("lightgbm", "num_leafs", "num_leaves")]
    [InlineData("lightgbm", "learningrate", "learning_rate")]
    [InlineData("fasttree", "num_tree", "num_trees")]
    [InlineData("sdca", "max_iteration", "max_iterations")]
    public void CheckName_NearMiss_SuggestsTheNameItMeans(string algorithm, string name, string meant)
    {
        var problem = HyperparameterCatalog.CheckName(algorithm, name);

        Assert.StartsWith($"{algorithm} has no hyperparameter '{name}' (did you mean '{meant}'?); it knows ", problem);
    }

    [Fact]
    public void CheckName_FarFromEveryName_ListsTheKnownOnesWithoutAGuess()
    {
        var problem = HyperparameterCatalog.CheckName("sdca", "num_trees");

        Assert.Equal("sdca has no hyperparameter 'num_trees'; it knows l1_regularization, l2_regularization, max_iterations.", problem);
    }

    [Fact]
    public void CheckName_HugeName_IsQuotedShortAndNotCompared()
    {
        var problem = HyperparameterCatalog.CheckName("sdca", new string('x', 100_000));

        Assert.True(problem!.Length < 200, problem);
        Assert.DoesNotContain("did you mean", problem);
    }
}
