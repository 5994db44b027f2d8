using System.Text.Json;
using Serverless.Core.Training;
using Serverless.Local.Hosting;

namespace Serverless.Tests.Training;

/// <summary>
/// The torch algorithms in core's catalog (what the sweep API accepts) are exactly what the torch trainer accepts
/// (trainer-torch/hyperparameters.json): the same algorithms, tasks, hyperparameter names, kinds and ranges.
/// </summary>
public sealed class TorchCatalogTests
{
    private static readonly JsonDocument TrainerTable = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(RepositoryPaths.FindRoot(AppContext.BaseDirectory), "trainer-torch", "hyperparameters.json")));

    [Fact]
    public void TorchAlgorithms_AreTheTrainersAndRunInIt()
    {
        Assert.Equal(TrainerTable.RootElement.EnumerateObject().Select(p => p.Name), HyperparameterCatalog.TorchAlgorithms);
        Assert.All(HyperparameterCatalog.TorchAlgorithms, a => Assert.Equal(TrainerKind.Torch, HyperparameterCatalog.TrainerOf(a)));
        Assert.All(HyperparameterCatalog.BuiltInAlgorithms, a => Assert.Equal(TrainerKind.BuiltIn, HyperparameterCatalog.TrainerOf(a)));
        Assert.Equal([.. HyperparameterCatalog.BuiltInAlgorithms, .. HyperparameterCatalog.TorchAlgorithms], HyperparameterCatalog.Algorithms);
    }

    [Theory]
    [InlineData("torch_mlp")]
    [InlineData("torch_ft_transformer")]
    public void Hyperparameters_MatchTheTorchTrainersTable(string algorithm)
    {
        var table = TrainerTable.RootElement.GetProperty(algorithm);
        var expected = table.GetProperty("hyperparameters").EnumerateArray().Select(h => new HyperparameterSpec(
            h.GetProperty("name").GetString()!,
            h.GetProperty("kind").GetString() == "integer" ? HyperparameterKind.Integer : HyperparameterKind.Real,
            h.GetProperty("min").GetDouble(),
            h.GetProperty("max").GetDouble(),
            h.TryGetProperty("min_exclusive", out var exclusive) && exclusive.GetBoolean())).ToList();

        Assert.Equal(expected, HyperparameterCatalog.For(algorithm));
        Assert.Equal(table.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()), HyperparameterCatalog.TasksOf(algorithm));
        Assert.All(table.GetProperty("hyperparameters").EnumerateArray(), h => Assert.True(
            HyperparameterCatalog.Find(algorithm, h.GetProperty("name").GetString()!)!.Allows(h.GetProperty("default").GetDouble()),
            $"{algorithm}'s default {h.GetProperty("name").GetString()} is outside its range"));
    }

    [Theory]
    [InlineData("torch_mlp", "dropout", "0.95", "torch_mlp hyperparameter 'dropout' must be at least 0 and at most 0.9; got 0.95.")]
    [InlineData("torch_mlp", "hidden_size", "12.5", "torch_mlp hyperparameter 'hidden_size' must be a whole number from 4 to 4096; got 12.5.")]
    [InlineData("torch_ft_transformer", "learning_rate", "0", "torch_ft_transformer hyperparameter 'learning_rate' must be greater than 0 and at most 1; got 0.")]
    [InlineData("torch_ft_transformer", "d_tokn", "8", "torch_ft_transformer has no hyperparameter 'd_tokn' (did you mean 'd_token'?)")]
    public void CheckValue_OutsideTheTorchRanges_SaysWhy(string algorithm, string name, string value, string expected) =>
        Assert.StartsWith(expected, HyperparameterCatalog.CheckValue(algorithm, name, JsonDocument.Parse(value).RootElement));
}
